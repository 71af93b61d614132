/**
 * `rnt mine --data FILE [--address ADDR]`: mines against a running node over JSON-RPC. Connects
 * with the node's cookie (from `--datadir`) or `--rpcuser/--rpcpassword`, trains on the user's
 * bytes with the shared mining loop on this machine's WebGPU adapter, evaluates with its own
 * evaluator, uploads the checkpoint in verified chunks and submits the block signed with the
 * miner key in the datadir (`miner.key`). Restarts on a new tip; waits through a node restart.
 * Without `--address` the rewards go to a fresh address of the node's loaded wallet (RPC
 * `getnewaddress`: no secret is needed here), else to the miner key's heartbeat address, with a
 * warning that no wallet holds it (`rnt wallet sweep-miner-key` moves those coins). With `--json` each
 * found block is one JSON line on stdout. SIGINT or SIGTERM stop it (exit 0). Before anything
 * is written (the miner key included) the node must answer: no node, or no usable cookie, is
 * explained with how to start or reach one (`--rpcwait` waits for it instead). `--max-rounds N`
 * gives up on a block after N rounds (exit 1); a block whose training stalls is reported with
 * advice. A summary line (blocks, rounds, time, rewards) ends every run.
 *
 * @module
 */
import {
  type CommandContext,
  intFlag,
  networkFlag,
  type ParsedArgs,
  stringFlag,
} from "./command.ts";
import { NETWORKS } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { DecodeError, RpcError, UsageError } from "../core/errors.ts";
import { requestGpu } from "../gpu/device.ts";
import { consensusEvaluator, selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { openCorpus } from "../node/corpus/open_corpus.ts";
import { evaluatorFlag } from "./evaluator_flag.ts";
import { resolveCliEndpoint } from "./cli_command.ts";
import { formatHostPort, RpcClient, RpcTransportError } from "../rpc/client.ts";
import { cookiePath } from "../rpc/auth.ts";
import { defaultDatadir } from "../rpc/defaults.ts";
import { formatMiningSummary } from "../node/miner/mining_summary.ts";
import { StatusLine } from "./mine_progress_line.ts";
import { formatAge } from "./progress.ts";
import { BlockMiner } from "../node/miner/block_miner.ts";
import { consoleMiningHooks } from "./mine_console_hooks.ts";
import { resolveRewardAddress } from "../node/miner/miner_address.ts";
import { loadOrCreateMinerKey } from "../node/miner/miner_key.ts";
import { RpcMiningSource } from "../node/miner/rpc_source.ts";

/** Runs `rnt mine`; returns the exit status. */
export async function runMineCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const network = networkFlag(args);
  const params = NETWORKS[network];
  if (!params.launched) {
    ctx.err(`error: ${network} has not launched yet; use --regtest or --testnet`);
    return 1;
  }
  const dataPath = stringFlag(args, "data");
  if (dataPath === undefined) throw new UsageError("--data FILE is required (your training bytes)");
  const stepsPerRound = intFlag(args, "steps-per-round", 10, 1, 100_000);
  // Bad input first: an unreadable data file is reported before the node is contacted.
  try {
    (await Deno.open(dataPath, { read: true })).close();
  } catch (e) {
    ctx.err(`error: cannot open training data ${dataPath}: ${(e as Error).message}`);
    return 1;
  }
  const endpoint = resolveCliEndpoint({
    network,
    datadir: stringFlag(args, "datadir"),
    rpcconnect: stringFlag(args, "rpcconnect"),
    rpcport: stringFlag(args, "rpcport"),
  });
  const user = stringFlag(args, "rpcuser");
  const password = stringFlag(args, "rpcpassword");
  const maxRounds = intFlag(args, "max-rounds", 0, 0, 1_000_000_000);
  const connect = () =>
    RpcClient.fromDatadir({
      datadir: endpoint.datadir,
      host: endpoint.host,
      port: endpoint.port,
      ...(user === undefined ? {} : { user }),
      ...(password === undefined ? {} : { password }),
      timeoutMs: 120_000,
    });
  const reachable = await waitForNode(connect, {
    wait: args.values.rpcwait === true,
    network,
    address: formatHostPort(endpoint.host, endpoint.port),
    datadir: endpoint.datadir,
    datadirGiven: stringFlag(args, "datadir") !== undefined,
    usedPassword: password !== undefined && password !== "",
    err: ctx.err,
  });
  if (!reachable) return 1;
  const seed = await loadOrCreateMinerKey(endpoint.datadir);
  const given = stringFlag(args, "address") ?? await loadedWalletAddress(connect);
  let reward;
  try {
    reward = resolveRewardAddress(params, given, seed);
    if (given === undefined) {
      ctx.err(
        `warning: the node has no wallet loaded, so rewards go to ${endpoint.datadir}/miner.key's ` +
          `address ${reward.text}, which no wallet holds; move them with 'rnt wallet ` +
          `sweep-miner-key' before they are ${formatAge(params.emissionReturnAgeSecs)} old ` +
          "and return to emission (or start the node with --wallet, or give --address)",
      );
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new UsageError(`--address: ${e.message}`);
    throw e;
  }
  // The sample's windows come from the corpus the params pin: checked against its root here, so
  // a wrong copy fails now rather than producing claims every node rejects.
  let corpus: Uint8Array;
  try {
    corpus = (await openCorpus(params, { kind: "bundled" }, "", () => {})).bytes;
  } catch (e) {
    ctx.err(`error: ${(e as Error).message}`);
    return 1;
  }
  const gpu = await requestGpu();
  if (!gpu) {
    ctx.err(
      "error: mining needs WebGPU to train the model and this machine has no adapter " +
        "(install Mesa's Vulkan driver and set DENO_WEBGPU_BACKEND=vulkan)",
    );
    return 1;
  }
  const miner = new BlockMiner(gpu, seed, {
    dataPath,
    stepsPerRound,
    ...(maxRounds > 0 ? { maxRounds } : {}),
  });
  try {
    await miner.open(params.validationWindowBytes);
  } catch (e) {
    ctx.err(`error: ${(e as Error).message}`);
    return 1;
  }
  let stop = false;
  const status = new StatusLine();
  const signals: [Deno.Signal, () => void][] = [];
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => stop = true;
    Deno.addSignalListener(sig, handler);
    signals.push([sig, handler]);
  }
  const source = new RpcMiningSource({
    params,
    corpus,
    evaluator: consensusEvaluator(selectExactEvaluator(evaluatorFlag(args), gpu)),
    connect,
    log: (line) => {
      status.clear();
      ctx.err(line);
    },
    shouldStop: () => stop,
  });
  try {
    const tip = await source.call("getbestblockhash");
    ctx.err(
      `mining on ${network} node ${endpoint.host}:${endpoint.port} (tip ${tip}); ` +
        `data ${dataPath}; reward address ${reward.text}; miner key ${toHex(miner.minerKey)}`,
    );
    source.start();
    const summary = await miner.run(
      source,
      reward.data,
      consoleMiningHooks({
        out: ctx.out,
        err: ctx.err,
        status,
        json: args.values.json === true,
        dataPath,
      }),
    );
    status.clear();
    ctx.err(formatMiningSummary(summary));
    return summary.gaveUp ? 1 : 0;
  } catch (e) {
    status.clear();
    if (stop) return 0;
    ctx.err(`error: ${(e as Error)?.message ?? e}`);
    return 1;
  } finally {
    source.close();
    miner.close();
    for (const [sig, handler] of signals) Deno.removeSignalListener(sig, handler);
  }
}

/** What {@linkcode waitForNode} needs to explain a node it cannot reach. */
interface NodeWaitContext {
  wait: boolean;
  network: string;
  address: string;
  datadir: string;
  datadirGiven: boolean;
  usedPassword: boolean;
  err: (line: string) => void;
}

/**
 * Checks that the node answers before the miner writes anything. Returns false after saying
 * what is wrong and how to fix it; with `wait`, says once that it waits, then waits.
 */
async function waitForNode(
  connect: () => Promise<RpcClient>,
  w: NodeWaitContext,
): Promise<boolean> {
  let announced = false;
  for (;;) {
    try {
      await (await connect()).call("getbestblockhash");
      return true;
    } catch (e) {
      if (!(e instanceof RpcTransportError)) throw e;
      const lines = unreachableNodeLines(e, w);
      if (!w.wait || e.kind !== "connect") {
        for (const line of lines) w.err(line);
        return false;
      }
      if (!announced) {
        announced = true;
        w.err(`waiting for a node at ${w.address} (--rpcwait); ${lines[1]?.trim() ?? ""}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function unreachableNodeLines(e: RpcTransportError, w: NodeWaitContext): string[] {
  const flag = w.network === "mainnet" ? "" : ` --${w.network}`;
  const datadirHint = w.datadirGiven ? "" : ` (no --datadir given: looked in ${w.datadir})`;
  const start = `  start one with: rnt node${flag}` +
    (w.datadirGiven || w.datadir !== defaultDatadir(w.network as "regtest")
      ? ` --datadir ${w.datadir}`
      : "") +
    "   (then run this again, or pass --rpcwait to wait for it)";
  switch (e.kind) {
    case "connect":
    case "timeout":
      return [`error: no ${w.network} node is answering RPC at ${w.address}`, start];
    case "unauthorized": {
      if (w.usedPassword) {
        return [`error: the node at ${w.address} rejected --rpcuser/--rpcpassword`];
      }
      return [
        `error: the node at ${w.address} did not accept this miner: no valid cookie at ` +
        `${cookiePath(w.datadir)}${datadirHint}`,
        "  pass the running node's --datadir (its .cookie is there), or --rpcuser and " +
        "--rpcpassword set in the node's rnt.conf",
      ];
    }
    default:
      return [`error: the node at ${w.address} answered badly: ${e.message}`];
  }
}

/**
 * A fresh receive address of the wallet the node has loaded (`getnewaddress "mining"`), or
 * undefined when it has none (or cannot give one).
 */
async function loadedWalletAddress(
  connect: () => Promise<RpcClient>,
): Promise<string | undefined> {
  try {
    const address = await (await connect()).call("getnewaddress", ["mining"]);
    return typeof address === "string" ? address : undefined;
  } catch (e) {
    if (e instanceof RpcError) return undefined;
    throw e;
  }
}
