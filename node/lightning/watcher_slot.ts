/**
 * When the node's chain watcher (node_watcher.ts) runs: it needs the wallet's Lightning keys, so
 * it starts at node start when the wallet is loaded unlocked, and otherwise as soon as a wallet is
 * unlocked later (`walletpassphrase`, `loadwallet` with its passphrase). The Lightning service is
 * handed {@link WatcherSlot.onStored} from its start, whether or not a watcher exists yet; once the
 * watcher's store is open every channel saved goes into it, and a watcher that starts late is
 * first handed every channel the service holds (`replay`, run in the service's own queue so no
 * save interleaves).
 *
 * @module
 */
import type { Node } from "../node.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import type { ChainWatcherDeps } from "./chain_watcher.ts";
import type { ChannelRecord as RestoredRecord } from "./channel_record.ts";
import { NodeWatcher, type WatchWallet } from "./node_watcher.ts";

/** What the watcher asks the node about HTLC outputs (htlc_claims.ts): preimages, resolutions. */
export type WatcherHtlcHooks = Pick<ChainWatcherDeps, "preimageOf" | "onHtlcResolved">;

/** The node's one chain watcher, opened and started when the wallet's keys are there. */
export class WatcherSlot {
  readonly #node: Node;
  readonly #datadir: string;
  #opened: NodeWatcher | undefined;
  #running = false;
  #late: Promise<boolean> | undefined;
  #htlcs: WatcherHtlcHooks = {};

  /** An empty slot for `node`'s watcher, its store under `datadir`. */
  constructor(node: Node, datadir: string) {
    this.#node = node;
    this.#datadir = datadir;
  }

  /**
   * Sets the hooks every later start hands the watcher (the Lightning service exists only after
   * the slot: it is given the slot's {@link onStored}).
   */
  useHtlcHooks(htlcs: WatcherHtlcHooks): void {
    this.#htlcs = htlcs;
  }

  /** Whether the watcher follows the chain. */
  get running(): boolean {
    return this.#running;
  }

  /** The service's `onStored`: copies `record` into the watcher's store once that is open. */
  readonly onStored = async (record: ChannelRecord): Promise<void> => {
    if (!this.#opened) return;
    await this.#opened.bridge.save(record);
  };

  /**
   * Opens the watcher's store with `wallet`'s keys (before the service starts, so the channels it
   * loads are copied in); false, logged, when it cannot be opened (another wallet's key, damage).
   */
  async open(wallet: WatchWallet): Promise<boolean> {
    if (this.#opened) return true;
    try {
      this.#opened = await NodeWatcher.open(this.#node, this.#datadir, wallet);
      return true;
    } catch (e) {
      this.#node.logger.log(`error: ln watcher: ${(e as Error).message}`);
      return false;
    }
  }

  /** Starts the opened watcher (rescanning what it missed); false, logged, when it fails. */
  async start(): Promise<boolean> {
    if (!this.#opened) return false;
    if (this.#running) return true;
    try {
      await this.#opened.start(this.#htlcs);
      this.#running = true;
      return true;
    } catch (e) {
      this.#node.logger.log(`error: ln watcher not started: ${(e as Error).message}`);
      return false;
    }
  }

  /**
   * Opens and starts the watcher after the service started (a wallet unlocked later): `replay`
   * hands every channel to {@link onStored} first and says how many. Once only; a second call
   * gets the first's answer while it runs, and a fresh try after a failure.
   */
  startLate(wallet: WatchWallet, replay: () => Promise<number>): Promise<boolean> {
    if (this.#running) return Promise.resolve(true);
    this.#late ??= (async () => {
      if (!(await this.open(wallet))) return false;
      const copied = await replay();
      const started = await this.start();
      if (started) {
        this.#node.logger.log(
          `ln: chain watcher started after the wallet was unlocked (${copied} channels)`,
        );
      }
      return started;
    })().finally(() => this.#late = undefined);
    return this.#late;
  }

  /** Whether the watcher's store is open (a wallet's keys were given). */
  get opened(): boolean {
    return this.#opened !== undefined;
  }

  /** Whether the watcher's store holds `channelId` (false while it is not open). */
  async has(channelId: Uint8Array): Promise<boolean> {
    return (await this.#opened?.has(channelId)) ?? false;
  }

  /** Adds channels restored from a static backup; Error while the store is not open. */
  async restore(records: readonly RestoredRecord[]): Promise<void> {
    if (!this.#opened) throw new Error("The chain watcher is not open: unlock the wallet first");
    await this.#opened.restore(records);
  }

  /** Stops the watcher and closes its store. */
  async stop(): Promise<void> {
    this.#running = false;
    const opened = this.#opened;
    this.#opened = undefined;
    await opened?.stop();
  }
}
