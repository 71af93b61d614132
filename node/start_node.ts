/**
 * The node's assembly: takes the datadir lock, opens the log (stderr and `<datadir>/debug.log`),
 * the evaluator (WebGPU, else the CPU reference), the chainstate and mempool, builds the
 * {@linkcode Node}, loads the wallet, starts P2P, registers the RPC methods, writes the cookie
 * and serves JSON-RPC on 127.0.0.1 (or the `--rpcbind` addresses, for `--rpcallowip` clients,
 * with `rpcuser`/`rpcauth` credentials besides the cookie), the block explorer when asked
 * (`rpc/explorer/`, also loopback), and mines when asked. SIGINT, SIGTERM and RPC `stop` shut it
 * down cleanly: the server stops, LevelDB is closed, cookie and lock are deleted, exit status 0.
 *
 * This is the one file under `node/` that imports `rpc/methods/` (to register them); the methods
 * import only the parts of the node they call.
 *
 * @module
 */
import type { ChainstateOptions } from "../core/chain/chainstate.ts";
import { Chainstate } from "../core/chain/chainstate.ts";
import { type NetworkName, NETWORKS } from "../core/consensus/params.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { Mempool } from "../core/mempool/mempool.ts";
import { requestGpu } from "../gpu/device.ts";
import {
  consensusEvaluator,
  type ExactPath,
  selectExactEvaluator,
} from "../gpu/exact/evaluator.ts";
import type { PeerManager } from "../net/connman/mod.ts";
import { isLoopbackHost } from "../rpc/allow_ip.ts";
import { RpcAuthenticator, writeAuthCookie } from "../rpc/auth.ts";
import { registerNodeMethods } from "../rpc/methods/mod.ts";
import { attachPeerManager } from "../rpc/methods/network.ts";
import { attachLightning, attachLnBackup } from "../rpc/methods/lightning.ts";
import {
  lightningWallet,
  lightningWatchWallet,
  loadedWalletMiningAddress,
  loadWalletAtStartup,
  type NodeWalletFlags,
  onWalletUnlocked,
} from "../rpc/methods/wallet.ts";
import { type ExplorerHandle, startExplorerServer } from "../rpc/explorer/mod.ts";
import { RpcRegistry } from "../rpc/registry.ts";
import { createRpcApp, type RpcServerHandle, startRpcServer } from "../rpc/server.ts";
import { IN_THREAD_VERIFIER, type SignatureVerifier } from "../core/crypto/signature_verifier.ts";
import { WorkerPoolVerifier } from "./crypto/worker_pool_verifier.ts";
import { MockableClock } from "./clock.ts";
import { DatadirLockedError, lockDatadir } from "./lock_file.ts";
import { FileLogger, type FileLoggerOptions } from "./logger.ts";
import { MemoEvaluator } from "./memo_evaluator.ts";
import { CorpusGatedEvaluator } from "./corpus/corpus_gate.ts";
import { type CorpusSource, openCorpus } from "./corpus/open_corpus.ts";
import { verifiedLine } from "./verified_line.ts";
import { reorgRefusedLine } from "./reorg_refused_line.ts";
import { loadMempool, MempoolSaver } from "./mempool_store.ts";
import type { MiningHooks } from "./miner/block_miner.ts";
import { loadOrCreateMinerKey } from "./miner/miner_key.ts";
import { type NodeMining, type NodeMiningSettings, startNodeMining } from "./miner/node_mining.ts";
import { RegtestMiner } from "./miner/regtest_miner.ts";
import { type BlockProducer, Node } from "./node.ts";
import { type NodeP2pOptions, startNodeP2p } from "./node_p2p.ts";
import { ChannelFiles } from "./lightning/channel_files.ts";
import { RefreshFiles } from "./lightning/refresh_files.ts";
import { LightningService } from "./lightning/lightning_service.ts";
import { WatcherSlot } from "./lightning/watcher_slot.ts";
import { BackupWriter } from "./lightning/backup_writer.ts";
import { restoreChannels, transportSender } from "./lightning/channel_restore.ts";
import { ChannelKeyRing } from "./lightning/channel_keys.ts";
import { STATIC_BACKUP_FILE } from "./lightning/static_backup.ts";
import { LnPeerBook } from "./lightning/ln_peer_book.ts";
import { LnInvoices } from "./lightning/ln_invoices.ts";
import { LnForwards } from "./lightning/ln_forwards.ts";
import { GraphStore } from "./lightning/graph_store.ts";
import { loadOrCreateNodeKey } from "../net/connman/mod.ts";

/** Signatures per block from which they are verified on worker threads (bench/sig_bench.ts). */
const SIGNATURE_WORKER_THRESHOLD = 256;

/** Everything a node is started with (the command line decides it). */
export interface NodeRunOptions {
  /** Network. */
  readonly network: NetworkName;
  /** Data directory, no trailing slash. */
  readonly datadir: string;
  /** JSON-RPC port. */
  readonly rpcPort: number;
  /** P2P port. */
  readonly p2pPort: number;
  /** Checkpoint pruning. */
  readonly prune: ChainstateOptions;
  /** Which exact evaluator checks blocks (default "auto": the fastest present). */
  readonly evaluator?: ExactPath;
  /** Where the evaluation corpus comes from (default: bundled where the network bundles it). */
  readonly corpus?: CorpusSource;
  /** P2P choices. */
  readonly p2p: NodeP2pOptions;
  /** Wallet to load for the wallet RPC methods. */
  readonly wallet: NodeWalletFlags;
  /** Serve the block explorer (`--explorer[=PORT]`) on 127.0.0.1:`port`. */
  readonly explorer?: { readonly port: number };
  /** RPC beyond the cookie on 127.0.0.1 (`rpcuser`/`rpcpassword`, `rpcauth`, `rpcbind`, …). */
  readonly rpc?: NodeRpcAccess;
  /** How the log echoes to stderr, `-debug` categories, rotation (default: everything echoed). */
  readonly log?: Omit<FileLoggerOptions, "nowMs">;
  /** Mine in this process, reporting through `hooks`. */
  readonly mining?: {
    readonly settings: NodeMiningSettings;
    readonly hooks: MiningHooks;
  };
}

/** Who may call the node's RPC, and where it listens. */
export interface NodeRpcAccess {
  /** `user:password` pairs accepted besides the cookie. */
  readonly userPass?: readonly string[];
  /** `rpcauth` lines `user:salt$hash`. */
  readonly rpcauth?: readonly string[];
  /** Addresses to listen on (default 127.0.0.1). */
  readonly bind?: readonly string[];
  /** Clients answered besides loopback (`rpcallowip`); others get 403. */
  readonly allowClient?: (host: string) => boolean;
}

/** Where the node writes what its user must see (the log gets everything too). */
export interface NodeConsole {
  /** One line to stdout. */
  out(line: string): void;
  /** One line to stderr. */
  err(line: string): void;
}

/** Runs a node until it is stopped; returns the exit status. */
export async function runNode(options: NodeRunOptions, ctx: NodeConsole): Promise<number> {
  const { network, datadir, rpcPort, p2pPort, prune } = options;
  const params = NETWORKS[network];
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
  const logger = FileLogger.open(`${datadir}/debug.log`, options.log ?? {});
  logger.log(`rnt node starting: network=${network} datadir=${datadir} pid=${Deno.pid}`);
  const cleanups: (() => Promise<void> | void)[] = [];
  let server: RpcServerHandle | undefined;
  let explorer: ExplorerHandle | undefined;
  let node: Node | undefined;
  let mining: NodeMining | undefined;
  let p2p: PeerManager | undefined;
  let lightning: LightningService | undefined;
  let watcher: WatcherSlot | undefined;
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
    if (!gpu) logger.log("no WebGPU adapter: training needs one; blocks are checked on the CPU");
    // The corpus is checked against the params' root; while it is being fetched from peers the
    // evaluator refuses to run (no block is judged for lack of data, PROTOCOL §4).
    const corpusStore = await openCorpus(
      params,
      options.corpus ??
        (params.evalCorpus?.bundled === false ? { kind: "fetch" } : { kind: "bundled" }),
      datadir,
      (line) => logger.log(line),
    );
    const corpus = corpusStore.bytes;
    const evaluator = new CorpusGatedEvaluator(
      new MemoEvaluator(
        consensusEvaluator(
          selectExactEvaluator(options.evaluator ?? "auto", gpu),
          shutdown.signal,
        ),
      ),
      corpusStore,
    );
    logger.log(`evaluator: ${evaluator.name}`);
    const clock = new MockableClock();
    logger.log("opening chainstate");
    // Blocks with many signatures verify them on worker threads; the pool starts on the first
    // such block (most blocks, and every regtest test block, stay in-thread).
    let signaturePool: WorkerPoolVerifier | undefined;
    cleanups.push(() => signaturePool?.close());
    const signatureVerifier: SignatureVerifier = {
      verify: (items) =>
        items.length < SIGNATURE_WORKER_THRESHOLD
          ? IN_THREAD_VERIFIER.verify(items)
          : (signaturePool ??= new WorkerPoolVerifier({ threshold: SIGNATURE_WORKER_THRESHOLD }))
            .verify(items),
    };
    // Each refused branch tip is logged once, not again on every later activation.
    const reorgRefusalsLogged = new Set<string>();
    const chainstate = await Chainstate.open(datadir, params, evaluator, corpus, clock, {
      ...prune,
      signatureVerifier,
      onVerified: (v) => logger.log(verifiedLine(v, evaluator.name)),
      onUnpaired: (hash, height) =>
        logger.log(
          `accepted block ${toHex(hash)} height=${height} without evaluation: its parent's ` +
            "checkpoint was pruned on every peer, so there is nothing to pair it with",
        ),
      onReorgRefused: (r) => {
        const key = toHex(r.branchTip.hash);
        if (reorgRefusalsLogged.has(key)) return;
        if (reorgRefusalsLogged.size >= 1024) reorgRefusalsLogged.clear();
        reorgRefusalsLogged.add(key);
        logger.log(reorgRefusedLine(r));
      },
    });
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
      corpus,
      corpusChunks: corpusStore,
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
        `work=${tip.chainWork} d_model=${tip.header.dModel} ` +
        `layers=${tip.header.nLayers}`,
    );
    // The saved mempool comes back before the wallet loads (it sees its unconfirmed sends) and
    // before P2P; the saver runs first among the cleanups, after the node stopped following.
    await loadMempool(node);
    // Whether its peers ever got them is unknown: announce them until a peer announces one back.
    for (const e of node.mempool.entries()) node.unbroadcast.add(e.txid);
    const saver = new MempoolSaver(node);
    cleanups.push(() => saver.stop());
    const walletError = await loadWalletAtStartup(node, options.wallet);
    if (walletError !== null) {
      logger.log(`error: ${walletError}`);
      return 1;
    }
    // P2P is attached before the RPC server (and its cookie) appears, so a client that sees
    // the cookie never gets "P2P disabled" from the network methods.
    p2p = await startNodeP2p(options.p2p, { node, datadir, port: p2pPort });
    attachPeerManager(node, p2p);
    // The chain watcher (penalties, claims of the peer's commitments) needs the wallet's keys:
    // it starts now when a wallet is loaded and unlocked, else once one is unlocked
    // (walletpassphrase, loadwallet), fed every channel the service stores.
    const slot = watcher = new WatcherSlot(node, datadir);
    const watchWallet = lightningWatchWallet(node);
    // A store it cannot open (another wallet's key, damage) leaves the channels unwatched, said
    // below; the node itself runs on.
    if (watchWallet) await slot.open(watchWallet);
    // Channels come back before RPC answers: each reestablishes when its peer connects.
    const invoices = await LnInvoices.load(`${datadir}/lightning/invoices.json`);
    const forwards = await LnForwards.load(`${datadir}/lightning/forwards.json`);
    const peerBook = await LnPeerBook.load(`${datadir}/lightning/peers.json`);
    // The static channel backup follows every channel save; it is sealed with the wallet's key,
    // so it is written once a wallet is unlocked (now or later).
    const backup = new BackupWriter({
      path: `${datadir}/lightning/${STATIC_BACKUP_FILE}`,
      networkMagic: node.params.magic,
      peerAddress: (id) => {
        const a = peerBook.get(id);
        return !a ? "" : a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
      },
      txHeight: async (id) => {
        const hash = await node!.txBlock(id);
        return hash ? node!.chainstate.getEntry(hash)?.height : undefined;
      },
      tipHeight: () => node!.chainstate.tip().height,
      log: (line) => logger.log(line),
    });
    const service = lightning = await LightningService.start({
      node,
      transport: p2p,
      wallet: lightningWallet(node),
      store: new ChannelFiles(`${datadir}/lightning/channels`),
      refreshes: new RefreshFiles(`${datadir}/lightning/refresh`),
      peerBook,
      invoices,
      forwards,
      graphStore: new GraphStore(`${datadir}/lightning/graph.dat`),
      nodeSeed: (await loadOrCreateNodeKey(datadir)).secretKey,
      onStored: async (r) => {
        await slot.onStored(r);
        await backup.onStored(r);
      },
    });
    attachLightning(node, lightning);
    if (watchWallet) await backup.useKey(new ChannelKeyRing(watchWallet.rootSecret).backupKey());
    attachLnBackup(node, {
      writer: backup,
      restore: (bytes, backupKey) =>
        restoreChannels(bytes, backupKey, {
          networkMagic: node!.params.magic,
          known: async (id) =>
            service.channels().some((c) => c.channelId === id) || await slot.has(fromHex(id)),
          watch: (records) => slot.restore(records),
          sendTo: transportSender(p2p!, (t, id) => service.connect(t, id), node!.params.p2pPort),
        }),
    });
    slot.useHtlcHooks({
      // Our invoices', and those our forwards learnt downstream (the incoming HTLC of a forward
      // whose channel was force closed before we fulfilled it is claimed on chain with it).
      preimageOf: (hash) => invoices.get(hash)?.preimage ?? forwards.preimageOf(hash),
      onHtlcResolved: (h) => service.htlcResolvedOnChain(h.channelId, h.htlc.id, h.preimage),
    });
    const watching = watchWallet !== undefined && await slot.start();
    if (!watching) {
      cleanups.push(onWalletUnlocked(node, () => {
        const unlocked = lightningWatchWallet(node!);
        if (unlocked && !backup.hasKey) {
          void backup.useKey(new ChannelKeyRing(unlocked.rootSecret).backupKey());
        }
        if (!unlocked || slot.running) return;
        void slot.startLate(unlocked, () => service.replayStored()).catch((e) =>
          logger.log(`error: ln watcher not started: ${(e as Error).message}`)
        );
      }));
    }
    const unwatched = lightning.channels().filter((c) =>
      !["closed", "abandoned"].includes(c.status)
    );
    if (!watching && unwatched.length > 0) {
      const why = watchWallet
        ? "the chain watcher is not running"
        : "no unlocked wallet at startup";
      logger.log(
        `warning: ${why}: ${unwatched.length} Lightning channel(s) are not watched` +
          `${watchWallet ? "" : " until a wallet is unlocked"} (a revoked commitment the peer ` +
          "publishes goes unpunished)",
      );
    }
    const registry = registerNodeMethods(new RpcRegistry(), node);
    const cookie = await writeAuthCookie(datadir);
    cleanups.push(() => cookie.remove());
    const auth = new RpcAuthenticator({
      userPass: [cookie.userPass, ...options.rpc?.userPass ?? []],
      rpcauth: options.rpc?.rpcauth ?? [],
    });
    const app = createRpcApp(registry, auth, {
      onCall: (method) => logger.debug("rpc", `received request for method=${method}`),
      onInternalError: (error, method) =>
        logger.log(
          `RPC ${method || "request"} internal error: ${(error as Error)?.stack ?? error}`,
        ),
    });
    try {
      server = startRpcServer(app, {
        port: rpcPort,
        cookie,
        ...(options.rpc?.bind?.length ? { hostnames: options.rpc.bind } : {}),
        ...(options.rpc?.allowClient ? { allowClient: options.rpc.allowClient } : {}),
      });
    } catch (e) {
      if (e instanceof Deno.errors.AddrInUse) {
        logger.log(`error: RPC port ${rpcPort} is in use (another node? use --rpcport)`);
        return 1;
      }
      throw e;
    }
    for (const host of server.hostnames) {
      const where = `${host.includes(":") ? `[${host}]` : host}:${server.port}`;
      logger.log(`RPC server listening on ${where} (cookie ${cookie.path})`);
      if (!isLoopbackHost(host)) {
        logger.log(
          `warning: RPC on ${where} is reachable from other machines: only rpcallowip clients ` +
            "are answered, and HTTP Basic sends credentials in clear text (use a VPN or SSH tunnel " +
            "across untrusted networks)",
        );
      }
    }
    if (options.explorer) {
      try {
        explorer = await startExplorerServer(node, {
          port: options.explorer.port,
          peers: p2p,
          onError: (error, path) =>
            logger.log(`explorer ${path} internal error: ${(error as Error)?.stack ?? error}`),
        });
      } catch (e) {
        if (e instanceof Deno.errors.AddrInUse) {
          logger.log(
            `error: explorer port ${options.explorer.port} is in use (use --explorer=PORT)`,
          );
          return 1;
        }
        throw e;
      }
      logger.log(`explorer listening on ${explorer.url}`);
    }
    logger.log("node ready");
    if (options.mining && !corpusStore.complete) {
      logger.log("mining starts once the evaluation corpus is complete");
      await Promise.race([corpusStore.whenComplete(), node.stopped]);
    }
    if (options.mining && !shutdown.signal.aborted) {
      const { settings, hooks } = options.mining;
      // Without --address the reward goes to the loaded wallet, so the miner can spend it; only
      // without a wallet does it fall back to miner.key's own address (with a warning).
      const walletAddress = settings.address === undefined
        ? await loadedWalletMiningAddress(node)
        : undefined;
      if (settings.address === undefined && walletAddress === undefined) {
        ctx.err(
          "warning: no wallet is loaded, so the mining reward goes to miner.key's heartbeat " +
            "address, which no wallet holds: start the node with --wallet to be paid there, or " +
            "move the coins later with 'rnt wallet sweep-miner-key' (before they return to emission)",
        );
      }
      mining = await startNodeMining(
        node,
        gpu,
        walletAddress === undefined ? settings : { ...settings, address: walletAddress },
        hooks,
        (line) => ctx.out(line),
      );
    }
    await node.stopped;
    return 0;
  } catch (e) {
    if (shutdown.signal.aborted) return 0; // e.g. startup evaluation aborted by a signal
    // The log echoes errors to stderr: one line, not two.
    logger.log(`error: ${(e as Error)?.message ?? e}`);
    return 1;
  } finally {
    for (const [sig, handler] of signals) Deno.removeSignalListener(sig, handler);
    await mining?.stop();
    await explorer?.shutdown();
    if (server) await server.shutdown();
    await lightning?.stop().catch((e) => logger.log(`lightning shutdown failed: ${e}`));
    await watcher?.stop().catch((e) => logger.log(`ln watcher shutdown failed: ${e}`));
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
