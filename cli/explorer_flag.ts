/**
 * `rnt node --explorer[=PORT]`: serve the block explorer on 127.0.0.1, on PORT or the network's
 * default explorer port (RPC port + 2: 9556, 19556, 29556).
 *
 * @module
 */
import type { NetworkName } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";
import { defaultExplorerPort } from "../rpc/explorer/mod.ts";
import { type OptionSpec, type ParsedArgs, stringFlag } from "./command.ts";

/** The option as `rnt node` declares it. */
export const EXPLORER_OPTION: Record<string, OptionSpec> = {
  explorer: {
    type: "string",
    optionalValue: true,
    valueName: "PORT",
    description: "Serve the block explorer on 127.0.0.1 (default port: RPC port + 2)",
  },
};

/**
 * The explorer the flags ask for: undefined without `--explorer`; UsageError for a value that is
 * not a port.
 *
 * @example
 * ```ts
 * import { explorerFlag } from "./explorer_flag.ts";
 * console.log(explorerFlag({ values: { explorer: "" }, positionals: [] }, "regtest")); // { port: 29556 }
 * ```
 */
export function explorerFlag(
  args: ParsedArgs,
  network: NetworkName,
): { port: number } | undefined {
  const v = stringFlag(args, "explorer");
  if (v === undefined) return undefined;
  if (v === "") return { port: defaultExplorerPort(network) };
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
    throw new UsageError(`--explorer must be a port number 0-65535, got '${v}'`);
  }
  return { port: Number(v) };
}
