/**
 * The address manager: which peers we know and which to try next (after Bitcoin Core's
 * `addrman`, simplified). Addresses we only heard about sit in the "new" table; once a
 * connection succeeds they move to the "tried" table.
 *
 * Placement uses a per-node secret key, so an attacker cannot predict it:
 * - new bucket = H(key, group(addr), group(source)) mod 64 picks one of 64 buckets per source
 *   group: H(key, group(source), that) mod 1024. One source group reaches at most 64 × 64 of
 *   the 65,536 new slots however many addresses it sends.
 * - tried bucket = H(key, group(addr), H(key, addr) mod 8) mod 256: one address group reaches at
 *   most 8 × 64 tried slots.
 * - slot = H(key, table, bucket, addr) mod 64. A taken slot keeps its occupant unless the
 *   occupant is "terrible" (stale or failing), which is evicted; in the tried table the occupant
 *   goes back to the new table to make room.
 *
 * Selection picks the tried or the new table with equal odds, then a uniformly random entry of
 * it, accepted with a chance that falls with recent attempts and failures.
 *
 * @module
 */
import { keccak256 } from "../../core/crypto/keccak.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { AddrEntry } from "../wire/addr.ts";
import { checkNetAddress, type NetAddress, NETWORK_IDS } from "../wire/net_address.ts";
import { addressGroup, isRoutable } from "./address_group.ts";

/** Buckets of the new table. */
export const NEW_BUCKETS = 1024;
/** Buckets of the tried table. */
export const TRIED_BUCKETS = 256;
/** Slots per bucket. */
export const BUCKET_SIZE = 64;
/** New buckets one source group can reach. */
export const NEW_BUCKETS_PER_SOURCE_GROUP = 64;
/** Tried buckets one address group can reach. */
export const TRIED_BUCKETS_PER_GROUP = 8;

/** An address unseen for this long is terrible. */
export const HORIZON_SECS = 30 * 86_400;
/** After this many failures with no success an address is terrible. */
export const MAX_RETRIES = 3;
/** After this many failures within {@link MIN_FAIL_SECS} of the last success it is terrible. */
export const MAX_FAILURES = 10;
/** See {@link MAX_FAILURES}. */
export const MIN_FAIL_SECS = 7 * 86_400;

const DAY = 86_400;

/** Everything known about one address. */
export interface AddrInfo {
  /** The peer's address. */
  readonly address: NetAddress;
  /** Who told us (port ignored); decides the new bucket. */
  readonly source: NetAddress;
  /** Advertised service bits. */
  readonly services: bigint;
  /** When it was last seen (advertised, or connected), seconds. */
  readonly lastSeenSecs: number;
  /** Our last connection attempt, seconds; 0 if never. */
  readonly lastTrySecs: number;
  /** Our last successful connection, seconds; 0 if never. */
  readonly lastSuccessSecs: number;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  /** In the tried table (else the new table). */
  readonly tried: boolean;
}

/** Construction options; all optional. */
export interface AddrManOptions {
  /** The 32-byte secret placement key; random by default. */
  key?: Uint8Array;
  /** Uniform random integer in [0, n); `crypto.getRandomValues` by default. */
  randomInt?: (n: number) => number;
  /** Clock in seconds; `Date.now() / 1000` by default. */
  nowSecs?: () => number;
  /** Accept loopback, private and other unroutable addresses (regtest, tests). */
  allowUnroutable?: boolean;
}

/** The table's size by kind. */
export interface AddrManCounts {
  /** Entries in the new table. */
  readonly new: number;
  /** Entries in the tried table. */
  readonly tried: number;
}

interface Entry {
  address: NetAddress;
  source: NetAddress;
  services: bigint;
  lastSeenSecs: number;
  lastTrySecs: number;
  lastSuccessSecs: number;
  attempts: number;
  tried: boolean;
  /** Slot index in its table. */
  slot: number;
  /** Position in its table's list. */
  listPos: number;
}

function defaultRandomInt(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Invalid range: ${n}`);
  const buf = new Uint32Array(2);
  crypto.getRandomValues(buf);
  return Math.floor(((buf[0]! * 2 ** 21 + (buf[1]! >>> 11)) / 2 ** 53) * n);
}

function u32(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]);
}

/** `network id ‖ bytes ‖ port u16 LE`: identifies an address. */
function addressBytes(a: NetAddress): Uint8Array {
  const out = new Uint8Array(1 + a.bytes.length + 2);
  out[0] = NETWORK_IDS[a.network];
  out.set(a.bytes, 1);
  out[out.length - 2] = a.port & 0xff;
  out[out.length - 1] = a.port >> 8;
  return out;
}

function addressKey(a: NetAddress): string {
  return `${a.network}:${toHex(a.bytes)}:${a.port}`;
}

function snapshotOf(e: Entry): AddrInfo {
  return {
    address: e.address,
    source: e.source,
    services: e.services,
    lastSeenSecs: e.lastSeenSecs,
    lastTrySecs: e.lastTrySecs,
    lastSuccessSecs: e.lastSuccessSecs,
    attempts: e.attempts,
    tried: e.tried,
  };
}

/**
 * The address manager.
 *
 * @example
 * ```ts
 * import { AddrMan } from "./addr_man.ts";
 * const now = 1_800_000_000;
 * const am = new AddrMan({ nowSecs: () => now });
 * const source = { network: "ipv4" as const, bytes: new Uint8Array([1, 1, 1, 1]), port: 0 };
 * const address = { network: "ipv4" as const, bytes: new Uint8Array([8, 8, 4, 4]), port: 9555 };
 * am.add([{ address, services: 1n, lastSeenSecs: now }], source);
 * am.attempt(address);
 * am.good(address);
 * console.log(am.counts); // { new: 0, tried: 1 }
 * ```
 */
export class AddrMan {
  readonly #key: Uint8Array;
  readonly #randomInt: (n: number) => number;
  readonly #now: () => number;
  readonly #allowUnroutable: boolean;
  readonly #byKey = new Map<string, Entry>();
  readonly #newSlots: (Entry | undefined)[] = new Array(NEW_BUCKETS * BUCKET_SIZE);
  readonly #triedSlots: (Entry | undefined)[] = new Array(TRIED_BUCKETS * BUCKET_SIZE);
  readonly #newList: Entry[] = [];
  readonly #triedList: Entry[] = [];

  /** @param options Key, randomness, clock, and whether unroutable addresses are allowed. */
  constructor(options: AddrManOptions = {}) {
    const key = options.key ?? crypto.getRandomValues(new Uint8Array(32));
    if (!(key instanceof Uint8Array) || key.length !== 32) {
      throw new RangeError("AddrMan key must be 32 bytes");
    }
    this.#key = key.slice();
    this.#randomInt = options.randomInt ?? defaultRandomInt;
    this.#now = options.nowSecs ?? (() => Math.floor(Date.now() / 1000));
    this.#allowUnroutable = options.allowUnroutable ?? false;
  }

  /** The secret placement key (persisted with the table). */
  get key(): Uint8Array {
    return this.#key.slice();
  }

  /** Number of known addresses. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Entries per table. */
  get counts(): AddrManCounts {
    return { new: this.#newList.length, tried: this.#triedList.length };
  }

  #hash(tag: number, ...parts: Uint8Array[]): number {
    let len = 33;
    for (const p of parts) len += p.length;
    const data = new Uint8Array(len);
    data.set(this.#key);
    data[32] = tag;
    let at = 33;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    const h = keccak256(data);
    return (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
  }

  #newSlot(address: NetAddress, source: NetAddress): number {
    const srcGroup = addressGroup(source);
    const h1 = this.#hash(1, addressGroup(address), srcGroup) % NEW_BUCKETS_PER_SOURCE_GROUP;
    const bucket = this.#hash(2, srcGroup, u32(h1)) % NEW_BUCKETS;
    return bucket * BUCKET_SIZE + this.#hash(5, u32(0), u32(bucket), addressBytes(address)) %
        BUCKET_SIZE;
  }

  #triedSlot(address: NetAddress): number {
    const bytes = addressBytes(address);
    const h1 = this.#hash(3, bytes) % TRIED_BUCKETS_PER_GROUP;
    const bucket = this.#hash(4, addressGroup(address), u32(h1)) % TRIED_BUCKETS;
    return bucket * BUCKET_SIZE + this.#hash(5, u32(1), u32(bucket), bytes) % BUCKET_SIZE;
  }

  /** Whether an entry is worth forgetting (see the module doc). */
  #isTerrible(e: Entry, now: number): boolean {
    if (e.lastTrySecs > 0 && now - e.lastTrySecs < 60) return false;
    if (e.lastSeenSecs > now + 600) return true;
    if (e.lastSeenSecs === 0 || now - e.lastSeenSecs > HORIZON_SECS) return true;
    if (e.lastSuccessSecs === 0 && e.attempts >= MAX_RETRIES) return true;
    if (now - e.lastSuccessSecs > MIN_FAIL_SECS && e.attempts >= MAX_FAILURES) return true;
    return false;
  }

  #chance(e: Entry, now: number): number {
    let chance = 1;
    if (now - e.lastTrySecs < 600) chance *= 0.01;
    return chance * 0.66 ** Math.min(e.attempts, 8);
  }

  #link(e: Entry, tried: boolean, slot: number): void {
    const list = tried ? this.#triedList : this.#newList;
    (tried ? this.#triedSlots : this.#newSlots)[slot] = e;
    e.tried = tried;
    e.slot = slot;
    e.listPos = list.length;
    list.push(e);
  }

  #unlink(e: Entry): void {
    const list = e.tried ? this.#triedList : this.#newList;
    (e.tried ? this.#triedSlots : this.#newSlots)[e.slot] = undefined;
    const last = list.pop()!;
    if (last !== e) {
      list[e.listPos] = last;
      last.listPos = e.listPos;
    }
  }

  #delete(e: Entry): void {
    this.#unlink(e);
    this.#byKey.delete(addressKey(e.address));
  }

  /** Puts `e` (not linked) into its new slot, evicting a terrible occupant; false if full. */
  #placeNew(e: Entry, now: number): boolean {
    const slot = this.#newSlot(e.address, e.source);
    const occupant = this.#newSlots[slot];
    if (occupant) {
      if (!this.#isTerrible(occupant, now)) return false;
      this.#delete(occupant);
    }
    this.#link(e, false, slot);
    return true;
  }

  /**
   * Learns addresses that `source` told us about. Unroutable addresses (unless allowed), port 0
   * and our own bookkeeping limits are applied; a timestamp in the future or before 1973 is
   * replaced by "5 days ago", and `penaltySecs` is subtracted from what a peer claims about
   * others (Core uses 2 hours for `addr` relay).
   *
   * @param entries Advertised addresses (at most 1000 from one `addr` message).
   * @param source The peer that sent them (its port is ignored).
   * @param penaltySecs Age added to each advertised `lastSeenSecs`.
   * @returns How many addresses were new to the table.
   */
  add(entries: readonly AddrEntry[], source: NetAddress, penaltySecs = 0): number {
    checkNetAddress(source);
    const now = this.#now();
    const src: NetAddress = { network: source.network, bytes: source.bytes.slice(), port: 0 };
    let added = 0;
    for (const entry of entries) {
      const a = entry.address;
      checkNetAddress(a);
      if (a.port === 0 || (!this.#allowUnroutable && !isRoutable(a))) continue;
      let seen = entry.lastSeenSecs;
      if (seen <= 100_000_000 || seen > now + 600) seen = now - 5 * DAY;
      const isSelf = a.network === src.network && addressKey({ ...a, port: 0 }) === addressKey(src);
      if (!isSelf) seen -= penaltySecs;
      seen = Math.max(1, seen);
      const existing = this.#byKey.get(addressKey(a));
      if (existing) {
        existing.services |= entry.services;
        if (seen > existing.lastSeenSecs) existing.lastSeenSecs = seen;
        continue;
      }
      const e: Entry = {
        address: { network: a.network, bytes: a.bytes.slice(), port: a.port },
        source: src,
        services: entry.services,
        lastSeenSecs: seen,
        lastTrySecs: 0,
        lastSuccessSecs: 0,
        attempts: 0,
        tried: false,
        slot: -1,
        listPos: -1,
      };
      if (!this.#placeNew(e, now)) continue;
      this.#byKey.set(addressKey(a), e);
      added++;
    }
    return added;
  }

  /** Records a connection attempt to `address`; a failure counts towards eviction. */
  attempt(address: NetAddress, countFailure = true): void {
    const e = this.#byKey.get(addressKey(address));
    if (!e) return;
    e.lastTrySecs = this.#now();
    if (countFailure) e.attempts++;
  }

  /** Refreshes `lastSeenSecs` of a peer we are connected to (at most every 20 minutes). */
  connected(address: NetAddress): void {
    const e = this.#byKey.get(addressKey(address));
    const now = this.#now();
    if (e && now - e.lastSeenSecs > 1200) e.lastSeenSecs = now;
  }

  /**
   * Marks `address` as good (a handshake completed): resets failures and moves it to the tried
   * table. If its tried slot is taken, the occupant moves back to the new table (or is dropped
   * when that slot is taken too).
   */
  good(address: NetAddress): void {
    const e = this.#byKey.get(addressKey(address));
    if (!e) return;
    const now = this.#now();
    e.lastSuccessSecs = now;
    e.lastTrySecs = now;
    e.lastSeenSecs = now;
    e.attempts = 0;
    if (e.tried) return;
    const slot = this.#triedSlot(e.address);
    const occupant = this.#triedSlots[slot];
    this.#unlink(e);
    if (occupant) {
      this.#unlink(occupant);
      if (!this.#placeNew(occupant, now)) this.#byKey.delete(addressKey(occupant.address));
    }
    this.#link(e, true, slot);
  }

  /**
   * Picks an address to connect to, or `undefined` when the table (or, with `newOnly`, the new
   * table) is empty.
   *
   * @param newOnly Only pick from the new table (feeler connections).
   */
  select(newOnly = false): AddrInfo | undefined {
    const nNew = this.#newList.length;
    const nTried = this.#triedList.length;
    if (nNew + nTried === 0 || (newOnly && nNew === 0)) return undefined;
    const useTried = !newOnly && nTried > 0 && (nNew === 0 || this.#randomInt(2) === 0);
    const list = useTried ? this.#triedList : this.#newList;
    const now = this.#now();
    let factor = 1;
    for (;;) {
      const e = list[this.#randomInt(list.length)]!;
      const threshold = Math.min(1, factor * this.#chance(e, now));
      if (this.#randomInt(1 << 30) < threshold * (1 << 30)) return snapshotOf(e);
      factor *= 1.2;
    }
  }

  /**
   * A random sample of good-looking addresses to answer `getaddr`: at most `maxCount` and at
   * most `maxPercent` % of the table, terrible entries left out.
   */
  getAddresses(maxCount = 1000, maxPercent = 23): AddrEntry[] {
    const all = [...this.#newList, ...this.#triedList];
    const want = Math.min(maxCount, Math.floor((all.length * maxPercent) / 100));
    const now = this.#now();
    const out: AddrEntry[] = [];
    for (let i = 0; i < all.length && out.length < want; i++) {
      const j = i + this.#randomInt(all.length - i);
      [all[i], all[j]] = [all[j]!, all[i]!];
      const e = all[i]!;
      if (this.#isTerrible(e, now)) continue;
      out.push({ address: e.address, services: e.services, lastSeenSecs: e.lastSeenSecs });
    }
    return out;
  }

  /** What is known about `address`, if anything. */
  find(address: NetAddress): AddrInfo | undefined {
    const e = this.#byKey.get(addressKey(address));
    return e ? snapshotOf(e) : undefined;
  }

  /** Every entry, tried ones first (for persistence). */
  entries(): AddrInfo[] {
    return [...this.#triedList, ...this.#newList].map(snapshotOf);
  }

  /**
   * Rebuilds a table from saved entries (same key, so the same placement). Entries whose slot
   * is taken, or that are malformed, are dropped.
   *
   * @param key The saved placement key.
   * @param entries The saved entries.
   * @param options The other options (the key given here wins over `options.key`).
   * @returns The restored table.
   */
  static restore(
    key: Uint8Array,
    entries: readonly AddrInfo[],
    options: Omit<AddrManOptions, "key"> = {},
  ): AddrMan {
    const am = new AddrMan({ ...options, key });
    am.#restore(entries);
    return am;
  }

  #restore(entries: readonly AddrInfo[]): void {
    const now = this.#now();
    for (const info of entries) {
      const k = addressKey(info.address);
      if (this.#byKey.has(k)) continue;
      const e: Entry = {
        ...info,
        address: { ...info.address, bytes: info.address.bytes.slice() },
        source: { ...info.source, bytes: info.source.bytes.slice(), port: 0 },
        slot: -1,
        listPos: -1,
      };
      if (info.tried) {
        const slot = this.#triedSlot(e.address);
        if (this.#triedSlots[slot]) continue;
        this.#link(e, true, slot);
      } else if (!this.#placeNew(e, now)) continue;
      this.#byKey.set(k, e);
    }
  }
}
