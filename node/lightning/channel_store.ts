/**
 * The watcher's channels on disk: a LevelDB database in `<datadir>/lightning/<name>` (the running
 * node's: `watch`), every write one atomic batch with `sync: true` (fsync before the promise
 * resolves), so a state the caller saw acknowledged survives kill -9 and a power cut, and a state
 * half-written never appears.
 *
 * Every value is sealed (sealed_value.ts) under the key ring's store key with its database key as
 * associated data: the update protocol's state holds our per-commitment seed, as sensitive as a
 * wallet, and the wallet's encryption story is "nothing secret in plain text on disk"; the store
 * key is derived from the wallet seed, which the running node holds unlocked anyway. A store
 * opened with another key fails at once with `ChannelStoreError("wrong-key")`.
 *
 * ```
 * key                                   value (sealed)
 * 0x00                                  "rnt/ln-channel-store/1" (the key check)
 * 0x01 ‖ channel id                     channel record (channel_record.ts)
 * 0x02 ‖ channel id ‖ number u64 BE     HTLCs of the revoked remote commitment `number`
 * 0x03 ‖ channel id                     the chain watcher's note of the funding spend
 * 0x04                                  the chain watcher's last processed block: height u32 LE ‖ hash 32
 * ```
 *
 * @module
 */
import { ClassicLevel } from "classic-level";
import { toHex as hex } from "../../core/crypto/keccak.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import type { HtlcSpec } from "../../core/lightning/commitment_spec.ts";
import {
  type ChannelRecord,
  decodeChannelRecord,
  decodeRevokedHtlcs,
  encodeChannelRecord,
  encodeRevokedHtlcs,
} from "./channel_record.ts";
import { open, type RandomSource, seal, SealError, systemRandom } from "./sealed_value.ts";

/** The folder under the datadir. */
export const LIGHTNING_DIR = "lightning";

const CHECK_VALUE = new TextEncoder().encode("rnt/ln-channel-store/1");
const enum Prefix {
  check = 0,
  channel = 1,
  revoked = 2,
  watch = 3,
  watchTip = 4,
}

/** Why the store refused. */
export type ChannelStoreErrorReason = "wrong-key" | "damaged";

/** The store did not open or a value in it did not read back. */
export class ChannelStoreError extends Error {
  /** Stable machine-readable code. */
  readonly code = "channel-store-error";
  /** What is wrong. */
  readonly reason: ChannelStoreErrorReason;
  constructor(reason: ChannelStoreErrorReason, message: string) {
    super(message);
    this.name = "ChannelStoreError";
    this.reason = reason;
  }
}

/** The HTLCs of one remote commitment that has just been revoked. */
export interface RevokedCommitment {
  /** Its commitment number. */
  readonly number: bigint;
  /** Its HTLCs (as in its spec); without them the penalty takes only the balance outputs. */
  readonly htlcs: readonly HtlcSpec[];
}

/** The last block the chain watcher processed. */
export interface WatchTip {
  readonly height: number;
  readonly hash: Uint8Array;
}

/** One change to the watcher's notes: the bytes to keep for a channel, or null to forget them. */
export interface WatchNote {
  readonly channelId: Uint8Array;
  readonly note: Uint8Array | null;
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;
type Op = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

/** The channel database (see the module doc). */
export class ChannelStore {
  readonly #db: Db;
  readonly #key: Uint8Array;
  readonly #random: RandomSource;

  private constructor(db: Db, key: Uint8Array, random: RandomSource) {
    this.#db = db;
    this.#key = key.slice();
    this.#random = random;
  }

  /**
   * Opens (creating if missing) `<datadir>/lightning/<name>` (default `channels`) with the 32-byte
   * store key. ChannelStoreError("wrong-key") when the store was written under another key.
   */
  static async open(
    datadir: string,
    storeKey: Uint8Array,
    random: RandomSource = systemRandom,
    name = "channels",
  ): Promise<ChannelStore> {
    if (storeKey.length !== 32) {
      throw new RangeError(`Store key must be 32 bytes, got ${storeKey.length}`);
    }
    await Deno.mkdir(`${datadir}/${LIGHTNING_DIR}`, { recursive: true });
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(
      `${datadir}/${LIGHTNING_DIR}/${name}`,
      { keyEncoding: "view", valueEncoding: "view" },
    );
    await db.open();
    const store = new ChannelStore(db, storeKey, random);
    try {
      const checkKey = new Uint8Array([Prefix.check]);
      const check = await db.get(checkKey);
      if (check === undefined) {
        await db.put(checkKey, store.#seal(checkKey, CHECK_VALUE), { sync: true });
      } else {
        let opened: Uint8Array;
        try {
          opened = open(storeKey, check, checkKey);
        } catch (e) {
          if (!(e instanceof SealError)) throw e;
          throw new ChannelStoreError(
            "wrong-key",
            "The channel store was written under another key (another wallet's seed)",
          );
        }
        if (!bytesEqual(opened, CHECK_VALUE)) {
          throw new ChannelStoreError("damaged", "The channel store's key check is not ours");
        }
      }
    } catch (e) {
      await db.close();
      throw e;
    }
    return store;
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.#db.close();
  }

  /**
   * Saves a channel's record and the HTLCs of the remote commitments it has just revoked in one
   * synced batch: resolves once both are on disk, and after a crash either both are or neither.
   */
  async saveChannel(
    record: ChannelRecord,
    revoked: readonly RevokedCommitment[] = [],
  ): Promise<void> {
    const ops: Op[] = [];
    const key = channelKey(Prefix.channel, record.channelId);
    ops.push({ type: "put", key, value: this.#seal(key, encodeChannelRecord(record)) });
    for (const r of revoked) {
      if (r.htlcs.length === 0) continue;
      const k = revokedKey(record.channelId, r.number);
      ops.push({ type: "put", key: k, value: this.#seal(k, encodeRevokedHtlcs(r.htlcs)) });
    }
    await this.#db.batch(ops, { sync: true });
  }

  /** The record of `channelId`, or undefined. */
  async getChannel(channelId: Uint8Array): Promise<ChannelRecord | undefined> {
    const key = channelKey(Prefix.channel, channelId);
    const value = await this.#db.get(key);
    return value === undefined ? undefined : this.#decode(key, value, decodeChannelRecord);
  }

  /**
   * Every channel record, in channel id order. A record that does not read back throws
   * ChannelStoreError("damaged"), or, when `onDamaged` is given, is passed to it and skipped (so
   * one damaged record does not stop the watching of the others).
   */
  async channels(onDamaged?: (error: ChannelStoreError) => void): Promise<ChannelRecord[]> {
    const out: ChannelRecord[] = [];
    for await (
      const [key, value] of this.#db.iterator({
        gte: new Uint8Array([Prefix.channel]),
        lt: new Uint8Array([Prefix.channel + 1]),
      })
    ) {
      try {
        out.push(this.#decode(key, value, decodeChannelRecord));
      } catch (e) {
        if (!onDamaged || !(e instanceof ChannelStoreError)) throw e;
        onDamaged(e);
      }
    }
    return out;
  }

  /**
   * The HTLCs of revoked remote commitment `number` of `channelId`: an empty list when none were
   * stored (a commitment without HTLCs, or one revoked before HTLCs were recorded).
   */
  async revokedHtlcs(channelId: Uint8Array, number: bigint): Promise<HtlcSpec[]> {
    const key = revokedKey(channelId, number);
    const value = await this.#db.get(key);
    return value === undefined ? [] : this.#decode(key, value, decodeRevokedHtlcs);
  }

  /** The watcher's note of `channelId`, or undefined. */
  async getWatchNote(channelId: Uint8Array): Promise<Uint8Array | undefined> {
    const key = channelKey(Prefix.watch, channelId);
    const value = await this.#db.get(key);
    return value === undefined ? undefined : this.#decode(key, value, (b) => b);
  }

  /** The last block the watcher processed, or undefined before its first. */
  async watchTip(): Promise<WatchTip | undefined> {
    const key = new Uint8Array([Prefix.watchTip]);
    const value = await this.#db.get(key);
    if (value === undefined) return undefined;
    return this.#decode(key, value, (b) => {
      if (b.length !== 36) throw new RangeError(`Watch tip is ${b.length} bytes, expected 36`);
      return { height: new DataView(b.buffer, b.byteOffset).getUint32(0, true), hash: b.slice(4) };
    });
  }

  /** Saves watcher notes and its processed tip in one synced batch. */
  async saveWatch(notes: readonly WatchNote[], tip: WatchTip): Promise<void> {
    const ops: Op[] = [];
    for (const n of notes) {
      const key = channelKey(Prefix.watch, n.channelId);
      ops.push(
        n.note === null
          ? { type: "del", key }
          : { type: "put", key, value: this.#seal(key, n.note) },
      );
    }
    const tipKey = new Uint8Array([Prefix.watchTip]);
    const tipBytes = new Uint8Array(36);
    new DataView(tipBytes.buffer).setUint32(0, tip.height, true);
    tipBytes.set(tip.hash, 4);
    ops.push({ type: "put", key: tipKey, value: this.#seal(tipKey, tipBytes) });
    await this.#db.batch(ops, { sync: true });
  }

  #seal(key: Uint8Array, plaintext: Uint8Array): Uint8Array {
    return seal(this.#key, plaintext, key, this.#random);
  }

  #decode<T>(key: Uint8Array, value: Uint8Array, decode: (b: Uint8Array) => T): T {
    try {
      return decode(open(this.#key, value, key));
    } catch (e) {
      throw new ChannelStoreError(
        "damaged",
        `Channel store value under key ${hex(key)} does not read back: ${(e as Error).message}`,
      );
    }
  }
}

function channelKey(prefix: Prefix, channelId: Uint8Array): Uint8Array {
  if (channelId.length !== 32) {
    throw new RangeError(`Channel id must be 32 bytes, got ${channelId.length}`);
  }
  const key = new Uint8Array(33);
  key[0] = prefix;
  key.set(channelId, 1);
  return key;
}

function revokedKey(channelId: Uint8Array, number: bigint): Uint8Array {
  const key = new Uint8Array(41);
  key.set(channelKey(Prefix.revoked, channelId));
  new DataView(key.buffer).setBigUint64(33, number, false);
  return key;
}
