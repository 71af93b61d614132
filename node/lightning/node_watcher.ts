/**
 * The chain watcher as the running node runs it (PROTOCOL §9.10, §9.11): its sealed store in
 * `<datadir>/lightning/watch` under the wallet's Lightning store key, the bridge that copies the
 * Lightning service's channels into it (watch_bridge.ts), and the watcher itself on the node's
 * chainstate, submitting its claims through the node (mempool and relay) and paying them to fresh
 * wallet addresses. Our own to_owner output after our own force close is left to the service,
 * which sweeps and records it: one owner per claim.
 *
 * @module
 */
import type { AddressData } from "../../core/primitives/address.ts";
import type { Node } from "../node.ts";
import { ChainWatcher, type ChainWatcherDeps } from "./chain_watcher.ts";
import { ChannelKeyRing } from "./channel_keys.ts";
import type { ChannelRecord } from "./channel_record.ts";
import { ChannelStore } from "./channel_store.ts";
import { systemRandom } from "./sealed_value.ts";
import { WatchBridge } from "./watch_bridge.ts";

/** The folder of the watcher's store under `<datadir>/lightning`. */
export const WATCH_STORE_NAME = "watch";

/** What the watcher needs of the loaded wallet. */
export interface WatchWallet {
  /** The wallet's Lightning root secret (channel_keys.ts). */
  readonly rootSecret: Uint8Array;
  /** A fresh wallet address for one claim. */
  readonly sweepAddress: () => AddressData;
}

/** The node's watcher: open its store and bridge first, start it once the service is up. */
export class NodeWatcher {
  /** The bridge to hand the Lightning service as `onStored`. */
  readonly bridge: WatchBridge;
  readonly #node: Node;
  readonly #store: ChannelStore;
  readonly #wallet: WatchWallet;
  #watcher: ChainWatcher | undefined;

  private constructor(node: Node, store: ChannelStore, ring: ChannelKeyRing, wallet: WatchWallet) {
    this.#node = node;
    this.#store = store;
    this.#wallet = wallet;
    this.bridge = new WatchBridge(store, ring, {
      txHeight: async (id) => {
        const hash = await node.txBlock(id);
        return hash ? node.chainstate.getEntry(hash)?.height : undefined;
      },
      tipHeight: () => node.chainstate.tip().height,
    });
  }

  /** Opens the store (ChannelStoreError when it was written under another wallet's key). */
  static async open(node: Node, datadir: string, wallet: WatchWallet): Promise<NodeWatcher> {
    const ring = new ChannelKeyRing(wallet.rootSecret);
    const store = await ChannelStore.open(
      datadir,
      ring.storeKey(),
      systemRandom,
      WATCH_STORE_NAME,
    );
    const watcher = new NodeWatcher(node, store, ring, wallet);
    // Channels restored from a static backup earlier carry their own secrets in the store.
    watcher.bridge.learnRestored(await store.channels(() => {}));
    return watcher;
  }

  /** Whether the store holds channel `channelId`. */
  async has(channelId: Uint8Array): Promise<boolean> {
    return (await this.#store.getChannel(channelId)) !== undefined;
  }

  /**
   * Adds channels restored from a static backup (static_backup.ts `restoredRecord`): watched
   * from the next block on (the watcher rereads its store at every block).
   */
  async restore(records: readonly ChannelRecord[]): Promise<void> {
    for (const r of records) await this.#store.saveChannel(r);
    this.bridge.learnRestored(records);
  }

  /**
   * Starts following the chain (after a rescan of what happened while the node was off).
   * `htlcs` ties HTLC outputs on chain to the Lightning service: the preimages it knows (its
   * invoices) and what to do when an HTLC we offered is resolved there.
   */
  async start(
    htlcs: Pick<ChainWatcherDeps, "preimageOf" | "onHtlcResolved"> = {},
  ): Promise<void> {
    const node = this.#node;
    this.#watcher = await ChainWatcher.start({
      chain: node.chainstate,
      mempool: {
        acceptTx: (tx) => node.submitTransaction(tx),
        spenderOf: (op) => node.mempool.spenderOf(op),
      },
      store: this.#store,
      keys: this.bridge,
      sweepAddress: this.#wallet.sweepAddress,
      logger: node.logger,
      claimOwnCommitment: false,
      ...htlcs,
    });
  }

  /** Stops the watcher and closes its store. */
  async stop(): Promise<void> {
    await this.#watcher?.stop();
    await this.#store.close();
  }
}
