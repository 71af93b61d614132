/**
 * Converts `rnt cli METHOD ARGS…` strings to JSON-RPC params the way `bitcoin-cli` does.
 * bitcoin-cli knows from a table which parameters are JSON; without one we guess: an argument
 * that is valid JSON other than a bare string (a number, true, false, null, an object, an array,
 * or a "quoted string") is sent as that JSON value, anything else as a string. When the method's
 * parameter declarations are known, string parameters are always sent as the raw text.
 * Numbers keep their exact digits (`0.00100000`, `12345678901234567890`).
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { parseJsonExact } from "../rpc/json_text.ts";
import type { RpcParam, RpcParamType } from "../rpc/method.ts";

/** Options of {@linkcode parseCliArgs}. */
export interface ParseCliArgsOptions {
  /** `-named` mode: `name=value` arguments become named params; others go to `args`. */
  named?: boolean;
  /** The method's declared parameters, when known: string ones are never JSON-parsed. */
  params?: readonly Pick<RpcParam, "name" | "type">[];
}

/** Converts one argument string to a JSON value, given the parameter's type if known. */
export function cliArgToJson(text: string, type?: RpcParamType): unknown {
  if (type === "string" || type === "hex") return text;
  try {
    return parseJsonExact(text);
  } catch {
    return text;
  }
}

/**
 * Converts command-line strings to positional params, or with `named` to a params object.
 *
 * @example
 * ```ts
 * import { parseCliArgs } from "./cli_args.ts";
 * console.log(parseCliArgs(["1", "true", "abc", '{"a":[1]}']));
 * // [ 1, true, "abc", { a: [ 1 ] } ]
 * console.log(parseCliArgs(["verbosity=2", "00ff"], { named: true }));
 * // { verbosity: 2, args: [ "00ff" ] }
 * ```
 */
export function parseCliArgs(
  args: readonly string[],
  options: ParseCliArgsOptions = {},
): unknown[] | Record<string, unknown> {
  const declared = options.params ?? [];
  if (!options.named) return args.map((arg, i) => cliArgToJson(arg, declared[i]?.type));
  const named: Record<string, unknown> = {};
  const positional: unknown[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq < 0) {
      positional.push(cliArgToJson(arg, declared[positional.length]?.type));
      continue;
    }
    const name = arg.slice(0, eq);
    if (name === "") throw new UsageError(`named argument '${arg}' has no name before '='`);
    const type = declared.find((p) => p.name === name)?.type;
    // Later values overwrite earlier ones, as bitcoin-cli (handy for merging options).
    Object.defineProperty(named, name, {
      value: cliArgToJson(arg.slice(eq + 1), type),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (positional.length > 0) {
    if (Object.hasOwn(named, "args")) {
      throw new UsageError("'args' given both by name and by position");
    }
    named.args = positional;
  }
  return named;
}
