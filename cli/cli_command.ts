/**
 * `rnt cli METHOD [ARGS…]`: calls a node's JSON-RPC method and prints the result like
 * bitcoin-cli — a string raw, null as nothing, anything else as 2-space indented JSON (numbers
 * with the node's exact digits). An RPC error prints `error code: N` / `error message:` / the
 * message on stderr and exits with the error code's absolute value (like bitcoin-cli: −8 → 8);
 * no node listening prints a hint to start one and exits 1. `-getinfo` prints a summary of the
 * node (chain, blocks, connections, relay fee, warnings) as bitcoin-cli does.
 *
 * @module
 */
import type { CommandContext, ParsedArgs } from "./command.ts";
import { networkFlag, stringFlag } from "./command.ts";
import { RpcError, UsageError } from "../core/errors.ts";
import { cookiePath } from "../rpc/auth.ts";
import { parseCliArgs } from "./cli_args.ts";
import { formatHostPort, RpcClient, RpcTransportError } from "../rpc/client.ts";
import {
  DEFAULT_RPC_HOST,
  defaultDatadir,
  defaultRpcPort,
  type NetworkName,
} from "../rpc/defaults.ts";
import { stringifyJson } from "../rpc/json_text.ts";
import type { RpcParam } from "../rpc/method.ts";

/** Settings of one `rnt cli` call (the command's flags). */
export interface CliCommandOptions {
  /** Network, for the default port and data directory. */
  network: NetworkName;
  /** Data directory holding the node's `.cookie` (default `~/.rnt/<network>`). */
  datadir?: string | undefined;
  /** Node host, optionally `host:port` (default 127.0.0.1). */
  rpcconnect?: string | undefined;
  /** Node RPC port (default per network; wins over a port in `rpcconnect`). */
  rpcport?: string | number | undefined;
  /** User for `rpcauth` / `rpcuser` credentials. */
  rpcuser?: string | undefined;
  /** Password; when absent the cookie is used. */
  rpcpassword?: string | undefined;
  /** `-named` mode: `name=value` arguments. */
  named?: boolean | undefined;
  /** Call the `/wallet/<name>` endpoint. */
  rpcwallet?: string | undefined;
  /** Home directory for the default datadir (default $HOME). */
  home?: string | undefined;
  /** Declared parameters of a method, when known, so string params stay strings. */
  paramsFor?: ((method: string) => readonly RpcParam[] | undefined) | undefined;
  /** Reply timeout in ms (default 900 000). */
  timeoutMs?: number | undefined;
  /** `-getinfo`: print a summary instead of calling METHOD. */
  getinfo?: boolean | undefined;
}

/** bitcoin-cli's exit status for an RPC error: |code|, as the OS keeps it (never 0). */
export function rpcErrorExitCode(rpcCode: number): number {
  return (Math.abs(rpcCode) & 0xff) || 1;
}

function parsePort(text: string, flag: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw new UsageError(`${flag} must be a port number 1-65535, got '${text}'`);
  }
  return Number(text);
}

/** Splits `--rpcconnect` into host and optional port (`h`, `h:p`, `[v6]:p`, bare `v6`). */
export function splitHostPort(text: string): { host: string; port?: number } {
  const bracketed = text.match(/^\[([^\]]+)\](?::(.*))?$/);
  if (bracketed) {
    const host = bracketed[1]!;
    return bracketed[2] === undefined
      ? { host }
      : { host, port: parsePort(bracketed[2], "--rpcconnect port") };
  }
  const colons = text.split(":").length - 1;
  if (colons === 1) {
    const [host, port] = text.split(":") as [string, string];
    if (host === "") throw new UsageError(`--rpcconnect has no host: '${text}'`);
    return { host, port: parsePort(port, "--rpcconnect port") };
  }
  if (text === "") throw new UsageError("--rpcconnect is empty");
  return { host: text };
}

/**
 * Where `rnt cli` connects and which datadir holds the cookie: `--rpcport`, else a port in
 * `--rpcconnect`, else the network's default; `--datadir`, else `<home>/.rnt/<network>`.
 */
export function resolveCliEndpoint(
  options: Pick<CliCommandOptions, "network" | "datadir" | "rpcconnect" | "rpcport" | "home">,
): { host: string; port: number; datadir: string } {
  const connect = splitHostPort(options.rpcconnect ?? DEFAULT_RPC_HOST);
  const port = options.rpcport !== undefined
    ? parsePort(String(options.rpcport), "--rpcport")
    : connect.port ?? defaultRpcPort(options.network);
  const datadir = options.datadir ?? defaultDatadir(options.network, options.home);
  return { host: connect.host, port, datadir };
}

/** Prints a result as bitcoin-cli does. */
function printResult(result: unknown, out: (line: string) => void): void {
  if (result === null || result === undefined) return;
  out(typeof result === "string" ? result : stringifyJson(result, 2));
}

/**
 * Runs `rnt cli METHOD ARGS…` and returns the exit code (0 ok, 1 failed). Throws UsageError
 * for a missing method or a malformed port/host (the command tree prints usage, exit 2).
 */
export async function runCliCommand(
  options: CliCommandOptions,
  method: string | undefined,
  args: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  if (options.getinfo) {
    if (method !== undefined) throw new UsageError("-getinfo takes no METHOD");
  } else if (method === undefined || method === "") {
    throw new UsageError("missing METHOD (try 'rnt cli help' or 'rnt cli -getinfo')");
  }
  const { host, port, datadir } = resolveCliEndpoint(options);
  const params = method === undefined ? [] : parseCliArgs(args, {
    named: options.named ?? false,
    params: options.paramsFor?.(method) ?? [],
  });
  const client = await RpcClient.fromDatadir({
    datadir,
    port,
    host,
    ...(options.rpcuser === undefined ? {} : { user: options.rpcuser }),
    ...(options.rpcpassword === undefined ? {} : { password: options.rpcpassword }),
    ...(options.rpcwallet === undefined ? {} : { wallet: options.rpcwallet }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  try {
    if (method === undefined) {
      for (const line of await getInfoLines(client)) out(line);
      return 0;
    }
    printResult(await client.call(method, params, { exactNumbers: true }), out);
    return 0;
  } catch (error) {
    if (error instanceof RpcError) {
      err(`error code: ${error.rpcCode}`);
      err("error message:");
      err(error.message);
      return rpcErrorExitCode(error.rpcCode);
    }
    if (error instanceof RpcTransportError) {
      err(transportMessage(error, {
        address: formatHostPort(host, port),
        cookie: cookiePath(datadir),
        hasCredentials: client.hasCredentials,
        usedPassword: options.rpcpassword !== undefined && options.rpcpassword !== "",
      }));
      return 1;
    }
    throw error;
  }
}

/** bitcoin-cli `-getinfo`: one human-readable summary from getblockchaininfo and getnetworkinfo. */
async function getInfoLines(client: RpcClient): Promise<string[]> {
  const chain = await client.call("getblockchaininfo", [], { exactNumbers: true }) as Record<
    string,
    unknown
  >;
  const net = await client.call("getnetworkinfo", [], { exactNumbers: true }) as Record<
    string,
    unknown
  >;
  const warnings = Array.isArray(chain.warnings) ? chain.warnings.map(String) : [];
  // exactNumbers keeps amounts as raw JSON literals: print their exact text.
  const text = (v: unknown) => typeof v === "object" && v !== null ? stringifyJson(v) : String(v);
  return [
    `Chain: ${chain.chain}`,
    `Blocks: ${chain.blocks}`,
    `Headers: ${chain.headers}`,
    `Best block hash: ${chain.bestblockhash}`,
    `Loss on the tip's sample: ${text(chain.sample_loss)}`,
    `Chain work: ${chain.chainwork}`,
    `Model: d_model ${chain.d_model}, layers ${chain.layers}`,
    `Initial block download: ${chain.initialblockdownload ? "yes" : "no"}`,
    "",
    `Network: in ${net.connections_in}, out ${net.connections_out}, total ${net.connections}`,
    `Version: ${net.subversion}`,
    `Min tx relay fee rate (RNT/kvB): ${text(net.relayfee)}`,
    "",
    `Warnings: ${warnings.length ? warnings.join("; ") : "(none)"}`,
  ];
}

function transportMessage(
  error: RpcTransportError,
  where: { address: string; cookie: string; hasCredentials: boolean; usedPassword: boolean },
): string {
  switch (error.kind) {
    case "connect":
      return `could not connect to the node at ${where.address} — is \`rnt node\` running?`;
    case "unauthorized":
      if (!where.hasCredentials) {
        return `error: no RPC credentials: no cookie at ${where.cookie} and no --rpcpassword ` +
          "(is --datadir the node's?)";
      }
      return where.usedPassword
        ? "error: authorization failed: incorrect --rpcuser or --rpcpassword"
        : `error: authorization failed: the node rejected the cookie in ${where.cookie} ` +
          "(is --datadir the node's?)";
    default:
      return `error: ${error.message}`;
  }
}

/**
 * Adapter for the `cli` command spec in main.ts: `run: runCliParsed`. Reads the flags
 * regtest, testnet, datadir, rpcconnect, rpcport, rpcuser, rpcpassword (and named, rpcwallet
 * when the spec declares them); the first positional is the method.
 */
export async function runCliParsed(
  args: ParsedArgs,
  context: CommandContext,
  paramsFor?: CliCommandOptions["paramsFor"],
): Promise<number> {
  const [method, ...rest] = args.positionals;
  return await runCliCommand(
    {
      network: networkFlag(args),
      datadir: stringFlag(args, "datadir"),
      rpcconnect: stringFlag(args, "rpcconnect"),
      rpcport: stringFlag(args, "rpcport"),
      rpcuser: stringFlag(args, "rpcuser"),
      rpcpassword: stringFlag(args, "rpcpassword"),
      named: args.values.named === true,
      rpcwallet: stringFlag(args, "rpcwallet"),
      getinfo: args.values.getinfo === true,
      paramsFor,
    },
    method,
    rest,
    context.out,
    context.err,
  );
}
