/**
 * `rnt node`: runs a full node. Takes the datadir lock, opens the log (stderr and
 * `<datadir>/debug.log`), the evaluator (WebGPU, else the CPU reference), the chainstate and
 * mempool, builds the Node, registers the RPC methods, writes the cookie and serves JSON-RPC on
 * 127.0.0.1. SIGINT, SIGTERM and RPC `stop` shut it down cleanly: the server stops, LevelDB is
 * closed, cookie and lock are deleted, exit status 0.
 *
 * @module
 */
import { Chainstate } from "../core/chain/chainstate.ts";
import {
  type CommandContext,
  networkFlag,
  type ParsedArgs,
  stringFlag,
} from "../core/cli/command.ts";
import { NETWORKS } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { UsageError } from "../core/errors.ts";
import { Mempool } from "../core/mempool/mempool.ts";
import { requestGpu } from "../gpu/device.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { CpuEvaluator, GpuEvaluator } from "../gpu/model/evaluate.ts";
import { RpcAuthenticator, writeAuthCookie } from "./auth.ts";
import { defaultDatadir } from "./defaults.ts";
import { registerNodeMethods } from "./methods/mod.ts";
import { loadWalletAtStartup } from "./methods/wallet.ts";
import { attachPeerManager } from "./methods/network.ts";
import { startNodeP2p } from "./node_p2p.ts";
import type { PeerManager } from "../net/node_net/mod.ts";
import { loadOrCreateMinerKey } from "./miner/miner_key.ts";
import { type NodeMining, nodeMiningFlags, startNodeMining } from "./miner/node_mining.ts";
import { RegtestMiner } from "./miner/regtest_miner.ts";
import { MockableClock } from "./node/clock.ts";
import { DatadirLockedError, lockDatadir } from "./node/lock_file.ts";
import { FileLogger } from "./node/logger.ts";
import { MemoEvaluator } from "./node/memo_evaluator.ts";
import { type BlockProducer, Node } from "./node/node.ts";
import { pruneFlag } from "./prune_flag.ts";
import { RpcRegistry } from "./registry.ts";
import { createRpcApp, type RpcServerHandle, startRpcServer } from "./server.ts";

function portFlag(args: ParsedArgs, name: string, fallback: number): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) {
    throw new UsageError(`--${name} must be a port number 0-65535, got '${v}'`);
  }
  return Number(v);
}

/** Runs `rnt node` until it is stopped; returns the exit status. */
export async function runNodeCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const network = networkFlag(args);
  const params = NETWORKS[network];
  if (!params.genesisValLossPinned) {
    ctx.err(
      `error: ${network} has not launched yet (its genesis loss is not pinned); ` +
        "use --regtest or --testnet",
    );
    return 1;
  }
  const datadir = (stringFlag(args, "datadir") ?? defaultDatadir(network)).replace(/\/+$/, "");
  const rpcPort = portFlag(args, "rpcport", params.rpcPort);
  const p2pPort = portFlag(args, "port", params.p2pPort);
  const miningFlags = nodeMiningFlags(args);
  const prune = pruneFlag(args, params);

  let lock;
  try {
    lock = await lockDatadir(datadir);
  } catch (e) {
    if (e instanceof DatadirLockedError) {
      ctx.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const logger = FileLogger.open(`${datadir}/debug.log`);
  logger.log(`rnt node starting: network=${network} datadir=${datadir} pid=${Deno.pid}`);
  const cleanups: (() => Promise<void> | void)[] = [];
  let server: RpcServerHandle | undefined;
  let node: Node | undefined;
  let mining: NodeMining | undefined;
  let p2p: PeerManager | undefined;
  const signals: [Deno.Signal, () => void][] = [];
  // Signals abort at once, even during startup: the evaluator and the miner watch `shutdown`.
  const shutdown = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const handler = () =>
      node ? node.requestStop(sig) : shutdown.abort(new DOMException(sig, "AbortError"));
    Deno.addSignalListener(sig, handler);
    signals.push([sig, handler]);
  }
  try {
    const gpu = await requestGpu();
    const inner = gpu ? new GpuEvaluator(gpu, { signal: shutdown.signal }) : new CpuEvaluator();
    if (!gpu) logger.log("no WebGPU adapter: evaluating with the CPU reference (slow)");
    const evaluator = new MemoEvaluator(inner);
    logger.log(`evaluator: ${evaluator.name}`);
    const validation = await loadValidationSet(network);
    const clock = new MockableClock();
    logger.log("opening chainstate");
    const chainstate = await Chainstate.open(datadir, params, evaluator, validation, clock, prune);
    cleanups.push(() => chainstate.close());
    const mempool = new Mempool(chainstate);
    let producer: BlockProducer | undefined;
    if (network === "regtest" && gpu) {
      let miner: RegtestMiner | undefined;
      producer = {
        mineBlock: async (n, address) => {
          miner ??= new RegtestMiner(gpu, await loadOrCreateMinerKey(datadir));
          return await miner.mineBlock(n, address);
        },
      };
      cleanups.push(() => miner?.close());
    }
    node = await Node.create({
      params,
      chainstate,
      mempool,
      evaluator,
      validation,
      clock,
      logger,
      datadir,
      shutdown,
      ...(producer ? { blockProducer: producer } : {}),
    });
    if (shutdown.signal.aborted) node.requestStop("signal during startup");
    const tip = chainstate.tip();
    logger.log(
      `chain tip height=${tip.height} hash=${toHex(tip.hash)} ` +
        `loss=${(tip.header.valLossMicroNats / 1e6).toFixed(6)} d_model=${tip.header.dModel} ` +
        `layers=${tip.header.nLayers}`,
    );
    const walletError = await loadWalletAtStartup(node, {
      wallet: args.values.wallet === true,
      walletFile: stringFlag(args, "wallet-file"),
      passwordFile: stringFlag(args, "wallet-password-file"),
    });
    if (walletError !== null) {
      logger.log(`error: ${walletError}`);
      return 1;
    }
    // P2P is attached before the RPC server (and its cookie) appears, so a client that sees
    // the cookie never gets "P2P disabled" from the network methods.
    p2p = await startNodeP2p(args, { node, datadir, port: p2pPort });
    attachPeerManager(node, p2p);
    const registry = registerNodeMethods(new RpcRegistry(), node);
    const cookie = await writeAuthCookie(datadir);
    cleanups.push(() => cookie.remove());
    const auth = new RpcAuthenticator({ userPass: [cookie.userPass] });
    const app = createRpcApp(registry, auth, {
      onInternalError: (error, method) =>
        logger.log(
          `RPC ${method || "request"} internal error: ${(error as Error)?.stack ?? error}`,
        ),
    });
    try {
      server = startRpcServer(app, { port: rpcPort, cookie });
    } catch (e) {
      if (e instanceof Deno.errors.AddrInUse) {
        logger.log(`error: RPC port ${rpcPort} is in use (another node? use --rpcport)`);
        return 1;
      }
      throw e;
    }
    logger.log(`RPC server listening on 127.0.0.1:${server.port} (cookie ${cookie.path})`);
    logger.log("node ready");
    if (miningFlags) mining = await startNodeMining(node, gpu, miningFlags, ctx);
    await node.stopped;
    return 0;
  } catch (e) {
    if (shutdown.signal.aborted) return 0; // e.g. startup evaluation aborted by a signal
    logger.log(`error: ${(e as Error)?.message ?? e}`);
    ctx.err(`error: ${(e as Error)?.message ?? e}`);
    return 1;
  } finally {
    for (const [sig, handler] of signals) Deno.removeSignalListener(sig, handler);
    await mining?.stop();
    if (server) await server.shutdown();
    await p2p?.stop().catch((e) => logger.log(`p2p shutdown failed: ${e}`));
    await node?.detach();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (e) {
        logger.log(`shutdown step failed: ${(e as Error)?.message ?? e}`);
      }
    }
    logger.log("shutdown complete");
    logger.close();
    await lock.release();
  }
}
