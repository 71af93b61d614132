/**
 * A small registry of fake methods shared by the rpc tests (not part of the public surface).
 *
 * @module
 */
import { RpcError } from "../core/errors.ts";
import { RpcCode } from "./error_codes.ts";
import { jsonNumber } from "./json_text.ts";
import type { RpcContext } from "./method.ts";
import { RpcRegistry } from "./registry.ts";

/** What the fake methods observed. */
export interface TestRegistryState {
  /** Times `bump` ran (also for notifications). */
  bumps: number;
  /** The context of the last call of `whoami`. */
  lastContext: RpcContext | undefined;
  /** Errors passed to `onInternalError`. */
  internalErrors: unknown[];
}

/** Builds a registry with echo, bump, getblockcount, greet, add, failures and odd results. */
export function testRegistry(): { registry: RpcRegistry; state: TestRegistryState } {
  const state: TestRegistryState = { bumps: 0, lastContext: undefined, internalErrors: [] };
  const registry = new RpcRegistry();
  registry
    .register({
      name: "echo",
      category: "util",
      params: [{ name: "value", type: "any", required: true, description: "Any JSON value" }],
      help: "Returns its argument.",
      handler: ([value]) => value,
    })
    .register({
      name: "bump",
      category: "util",
      params: [],
      help: "Increments a counter and returns it.",
      handler: () => ++state.bumps,
    })
    .register({
      name: "greet",
      category: "util",
      params: [
        { name: "name", type: "string", required: true, description: "Who" },
        {
          name: "greeting",
          type: "string",
          required: false,
          description: "Word",
          defaultHint: '"hello"',
        },
        { name: "times", type: "number", required: false, description: "Repeats" },
      ],
      help: "Greets someone.",
      handler: ([name, greeting, times]) =>
        Array((times as number | undefined) ?? 1).fill(`${greeting ?? "hello"} ${name}`).join(
          " ",
        ),
    })
    .register({
      name: "types",
      category: "util",
      params: [
        { name: "s", type: "string", required: true, description: "a string" },
        { name: "n", type: "number", required: true, description: "a number" },
        { name: "b", type: "boolean", required: false, description: "a bool" },
        { name: "o", type: "object", required: false, description: "an object" },
        { name: "a", type: "array", required: false, description: "an array" },
      ],
      help: "Checks types.",
      handler: (params) => params.map((p) => p === undefined ? "absent" : typeof p),
    })
    .register({
      name: "whoami",
      category: "util",
      params: [],
      help: "Returns the context.",
      handler: (_params, context) => {
        state.lastContext = context;
        return { user: context.authUser, wallet: context.walletName ?? null };
      },
    })
    .register({
      name: "invalid",
      category: "util",
      params: [],
      help: "Throws −8.",
      handler: () => {
        throw new RpcError(RpcCode.INVALID_PARAMETER, "Invalid parameter, bad thing");
      },
    })
    .register({
      name: "crash",
      category: "util",
      params: [],
      help: "Throws a plain Error with private details.",
      handler: async () => {
        await Promise.resolve();
        throw new Error("secret /home/alice/.rnt/wallet.dat");
      },
    })
    .register({
      name: "circular",
      category: "util",
      params: [],
      help: "Returns a value JSON cannot hold.",
      handler: () => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      },
    })
    .register({
      name: "amounts",
      category: "util",
      params: [],
      help: "Returns exact numbers.",
      handler: () => ({ sats: 2n ** 64n, amount: jsonNumber("0.00100000"), none: undefined }),
    })
    .register({
      name: "secret",
      category: "hidden",
      params: [],
      help: "Not listed.",
      handler: () => "hidden",
    });
  return { registry, state };
}
