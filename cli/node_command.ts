/**
 * `rnt node`: reads the flags, checks each (UsageError, exit 2) and runs the node's assembly
 * (`node/start_node.ts`) until it is stopped.
 *
 * @module
 */
import { NETWORKS } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";
import { sampleTrainPath } from "../gpu/model/datasets.ts";
import { defaultDatadir } from "../rpc/defaults.ts";
import type { NodeMiningSettings } from "../node/miner/node_mining.ts";
import { type NodeRpcAccess, runNode } from "../node/start_node.ts";
import { allowIpCheck, isLoopbackHost, parseIp } from "../rpc/allow_ip.ts";
import { parseRpcAuthLine } from "../rpc/auth.ts";
import {
  type CommandContext,
  intFlag,
  networkFlag,
  type ParsedArgs,
  stringFlag,
} from "./command.ts";
import { explorerFlag } from "./explorer_flag.ts";
import { consoleMiningHooks } from "./mine_console_hooks.ts";
import { StatusLine } from "./mine_progress_line.ts";
import { isProblemMessage, parseDebugCategories } from "../node/logger.ts";
import { nodeP2pOptions } from "./node_p2p_flags.ts";
import { evaluatorFlag } from "./evaluator_flag.ts";
import { corpusFlag } from "./corpus_flag.ts";
import { pruneFlag } from "./prune_flag.ts";
import { getPassphrase } from "./secrets.ts";

function portFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
    throw new UsageError(`--${name} must be a port number 0-65535, got '${v}'`);
  }
  return Number(v);
}

/**
 * Reads `--mine`, `--data`, `--address`: undefined without `--mine`; UsageError for `--data`
 * or `--address` without it. Training data defaults to the bundled sample text.
 */
export function nodeMiningFlags(args: ParsedArgs): NodeMiningSettings | undefined {
  const dataPath = stringFlag(args, "data");
  const address = stringFlag(args, "address");
  if (args.values.mine !== true) {
    if (dataPath !== undefined || address !== undefined || args.values["max-rounds"]) {
      throw new UsageError("--data, --address and --max-rounds are for --mine");
    }
    return undefined;
  }
  const maxRounds = intFlag(args, "max-rounds", 0, 0, 1_000_000_000);
  return {
    dataPath: dataPath ?? sampleTrainPath(),
    address,
    ...(maxRounds > 0 ? { maxRounds } : {}),
  };
}

function listFlag(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/**
 * Reads `--rpcuser/--rpcpassword`, `--rpcauth`, `--rpcbind`, `--rpcallowip` (from the command
 * line or rnt.conf). As in Core, `rpcbind` needs `rpcallowip` (else it is ignored with a
 * warning) and `rpcallowip` alone listens on every interface.
 */
export function nodeRpcFlags(args: ParsedArgs, warn: (line: string) => void): NodeRpcAccess {
  const user = stringFlag(args, "rpcuser");
  const password = stringFlag(args, "rpcpassword");
  if ((user === undefined) !== (password === undefined)) {
    throw new UsageError("--rpcuser and --rpcpassword go together");
  }
  if (user !== undefined && (user === "" || user.includes(":"))) {
    throw new UsageError(`--rpcuser must be non-empty and without ':', got '${user}'`);
  }
  const rpcauth = listFlag(args, "rpcauth");
  for (const line of rpcauth) {
    try {
      parseRpcAuthLine(line);
    } catch (e) {
      throw new UsageError(`--rpcauth: ${(e as Error).message}`);
    }
  }
  const allow = listFlag(args, "rpcallowip");
  let allowClient;
  try {
    allowClient = allowIpCheck(allow);
  } catch (e) {
    throw new UsageError(`--rpcallowip: ${(e as Error).message}`);
  }
  let bind = listFlag(args, "rpcbind").map((b) => b.replace(/^\[(.*)\]$/, "$1"));
  for (const b of bind) {
    if (b !== "localhost" && parseIp(b) === null) {
      throw new UsageError(
        `--rpcbind takes an IP address (set the port with --rpcport), got '${b}'`,
      );
    }
  }
  if (bind.length > 0 && allow.length === 0 && bind.some((b) => !isLoopbackHost(b))) {
    warn(
      "warning: --rpcbind ignored because --rpcallowip is not set, refusing to let everyone " +
        "connect: listening on 127.0.0.1",
    );
    bind = [];
  } else if (bind.length === 0 && allow.length > 0) {
    bind = ["0.0.0.0"];
  }
  return {
    ...(user !== undefined ? { userPass: [`${user}:${password}`] } : {}),
    ...(rpcauth.length ? { rpcauth } : {}),
    ...(bind.length ? { bind } : {}),
    ...(allow.length ? { allowClient } : {}),
  };
}

/**
 * What a mining node echoes from its log: problems, where to watch it, and (off regtest, where
 * peers matter) how it looks for peers.
 */
export function consoleWorthy(message: string, network: string): boolean {
  return isProblemMessage(message) || /^explorer listening/.test(message) ||
    (network !== "regtest" && /^p2p: (looking for peers|no peers: )/.test(message));
}

/** Runs `rnt node` until it is stopped; returns the exit status. */
export async function runNodeCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const network = networkFlag(args);
  const params = NETWORKS[network];
  if (!params.launched) {
    ctx.err(
      `error: ${network} has not launched yet (its evaluation corpus is not pinned); ` +
        "use --regtest or --testnet",
    );
    return 1;
  }
  const datadir = (stringFlag(args, "datadir") ?? defaultDatadir(network)).replace(/\/+$/, "");
  const miningSettings = nodeMiningFlags(args);
  const explorer = explorerFlag(args, network);
  const debugValues = args.values.debug;
  let debug;
  try {
    debug = parseDebugCategories(
      Array.isArray(debugValues)
        ? debugValues
        : typeof debugValues === "string"
        ? [debugValues]
        : [],
    );
  } catch (e) {
    throw new UsageError(`--debug: ${(e as Error).message}`);
  }
  // While mining, stdout carries one line per block and stderr the status line: the log goes
  // to debug.log, and only problems and how to reach the node are echoed (unless
  // --printtoconsole), so the two do not interleave.
  const status = new StatusLine();
  const quiet = miningSettings !== undefined && args.values.printtoconsole !== true;
  if (quiet) ctx.err(`log: ${datadir}/debug.log (--printtoconsole to see it here)`);
  return await runNode({
    network,
    datadir,
    rpcPort: portFlag(args, "rpcport", params.rpcPort),
    p2pPort: portFlag(args, "port", params.p2pPort),
    prune: pruneFlag(args, params),
    evaluator: evaluatorFlag(args),
    corpus: corpusFlag(args, params),
    p2p: nodeP2pOptions(args, params),
    rpc: nodeRpcFlags(args, ctx.err),
    wallet: {
      wallet: args.values.wallet === true,
      walletFile: stringFlag(args, "wallet-file"),
      passphrase: () => getPassphrase(stringFlag(args, "wallet-password-file")),
    },
    ...(explorer ? { explorer } : {}),
    log: {
      debug,
      beforeEcho: () => status.clear(),
      ...(quiet ? { stderr: (m: string) => consoleWorthy(m, network) } : {}),
    },
    ...(miningSettings
      ? {
        mining: {
          settings: miningSettings,
          hooks: consoleMiningHooks({
            out: ctx.out,
            err: ctx.err,
            status,
            dataPath: miningSettings.dataPath,
          }),
        },
      }
      : {}),
  }, ctx);
}
