/**
 * The node's static channel backup file (PROTOCOL §9.10, static_backup.ts): the Lightning
 * service hands it every channel it saves (`onStored`, beside the watcher's bridge), and it
 * rewrites `<datadir>/lightning/channels.backup` whenever the backed-up list changes — a channel
 * funded, closed for good (closed, abandoned: nothing left to claim), or its funding outpoint
 * moved by a refresh. The file is sealed with the wallet's backup key, so nothing is written
 * before a wallet is unlocked ({@link BackupWriter.useKey}); the list is kept meanwhile and
 * written at unlock.
 *
 * A failed write is logged and tried again at the next change: a channel's own progress never
 * waits on its backup.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { ChannelRecord as ServiceRecord } from "./channel_file_record.ts";
import { type BackupChannel, encodeStaticBackup, writeStaticBackup } from "./static_backup.ts";
import { watchRecordOf } from "./watch_bridge.ts";

/** What the writer reads of the node. */
export interface BackupWriterDeps {
  /** The file written (`<datadir>/lightning/channels.backup`). */
  readonly path: string;
  /** The network's 4-byte magic (a backup opens on its own network only). */
  readonly networkMagic: Uint8Array;
  /** The address (`host:port`) to reach peer `nodeId` at, or "" when none is known. */
  readonly peerAddress: (nodeId: string) => string;
  /** The height of the active block holding `txid`, or undefined. */
  readonly txHeight: (txid: Uint8Array) => Promise<number | undefined>;
  /** The active tip's height. */
  readonly tipHeight: () => number;
  /** Logs one line. */
  readonly log: (line: string) => void;
}

/** Keeps the backup file equal to the list of channels with money at stake. */
export class BackupWriter {
  readonly #deps: BackupWriterDeps;
  readonly #channels = new Map<string, BackupChannel>();
  #key: Uint8Array | undefined;
  #written: string | undefined;
  #queue: Promise<void> = Promise.resolve();

  /** A writer for `deps.path`, with no key yet. */
  constructor(deps: BackupWriterDeps) {
    this.#deps = deps;
  }

  /** Whether the wallet's backup key is known (a wallet was unlocked). */
  get hasKey(): boolean {
    return this.#key !== undefined;
  }

  /** How many channels the backup lists. */
  get size(): number {
    return this.#channels.size;
  }

  /** Sets the wallet's backup key and writes the list if it changed since the last write. */
  useKey(backupKey: Uint8Array): Promise<void> {
    this.#key = backupKey.slice();
    return this.#flush();
  }

  /** The service's `onStored`: updates the list with `r` and rewrites the file on a change. */
  readonly onStored = async (r: ServiceRecord): Promise<void> => {
    try {
      await this.#update(r);
    } catch (e) {
      // Never fails the service's save: the next change tries again.
      this.#deps.log(`error: ln: static channel backup not updated: ${(e as Error).message}`);
      return;
    }
    await this.#flush();
  };

  /** The sealed backup of the current list (undefined before a wallet was unlocked). */
  encode(): Uint8Array | undefined {
    if (!this.#key) return undefined;
    return encodeStaticBackup(this.#list(), this.#key, this.#deps.networkMagic);
  }

  /** Waits for the writes begun so far. */
  settled(): Promise<void> {
    return this.#queue;
  }

  async #entryOf(r: ServiceRecord): Promise<BackupChannel> {
    const height = await this.#deps.txHeight(r.fundingOutpoint.txid) ??
      this.#deps.tipHeight() + 1;
    const w = watchRecordOf(r, height);
    return {
      channelId: w.channelId,
      keyIndex: w.keyIndex,
      peerNodeKey: w.peerNodeKey,
      peerAddress: this.#deps.peerAddress(r.peerId),
      funder: w.funder,
      fundingOutpoint: w.fundingOutpoint,
      // A lower bound is enough: a restored channel is scanned for from this height.
      fundingHeight: w.fundingHeight,
      fundingValue: w.fundingValue,
      local: w.local,
      remote: w.remote,
      ownSecrets: r.secrets,
    };
  }

  async #update(r: ServiceRecord): Promise<void> {
    const id = toHex(r.channelId);
    if (r.status === "closed" || r.status === "abandoned") {
      this.#channels.delete(id);
    } else {
      const known = this.#channels.get(id);
      const sameOutpoint = known &&
        toHex(known.fundingOutpoint.txid) === toHex(r.fundingOutpoint.txid) &&
        known.fundingOutpoint.vout === r.fundingOutpoint.vout;
      if (!sameOutpoint) this.#channels.set(id, await this.#entryOf(r));
      else {
        const address = this.#deps.peerAddress(r.peerId);
        if (address !== known!.peerAddress) {
          this.#channels.set(id, { ...known!, peerAddress: address });
        }
      }
    }
  }

  #list(): BackupChannel[] {
    return [...this.#channels.entries()].sort(([a], [b]) => a < b ? -1 : 1).map(([, c]) => c);
  }

  /** What the file's content depends on, to skip rewriting an unchanged list. */
  #fingerprint(): string {
    return this.#list().map((c) =>
      `${toHex(c.channelId)}:${
        toHex(c.fundingOutpoint.txid)
      }:${c.fundingOutpoint.vout}:${c.peerAddress}`
    ).join(",");
  }

  #flush(): Promise<void> {
    const run = this.#queue.then(async () => {
      const key = this.#key;
      if (!key) return;
      const fingerprint = this.#fingerprint();
      if (fingerprint === this.#written) return;
      try {
        const dir = this.#deps.path.slice(0, Math.max(0, this.#deps.path.lastIndexOf("/")));
        if (dir) await Deno.mkdir(dir, { recursive: true });
        await writeStaticBackup(this.#deps.path, this.#list(), key, this.#deps.networkMagic);
        this.#written = fingerprint;
        this.#deps.log(`ln: static channel backup written (${this.#channels.size} channels)`);
      } catch (e) {
        this.#deps.log(`error: ln: static channel backup not written: ${(e as Error).message}`);
      }
    });
    this.#queue = run;
    return run;
  }
}
