/**
 * The ban list: addresses refused until a time (manual `setban` and automatic discouragement of
 * misbehaving peers), optionally persisted as JSON (`<datadir>/banlist.json`).
 *
 * @module
 */
import { writeFileAtomic } from "../../core/util/atomic_write.ts";

/** One ban. */
export interface BanEntry {
  /** The banned key: an IP address (or `"id:<hex node id>"` for a loopback peer). */
  readonly address: string;
  /** When the ban was made, Unix seconds. */
  readonly createdSecs: number;
  /** When the ban ends, Unix seconds. */
  readonly untilSecs: number;
  /** Why: `"manual"` or the misbehaviour reason. */
  readonly reason: string;
}

/** Default discouragement: 24 hours. */
export const DEFAULT_BAN_SECS = 24 * 3600;

/** Addresses refused until their ban expires. */
export class BanList {
  readonly #bans = new Map<string, BanEntry>();
  readonly #now: () => number;

  /** @param nowSecs Clock (Unix seconds). */
  constructor(nowSecs: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#now = nowSecs;
  }

  /** Bans `address` for `secs` seconds (replacing an earlier ban). */
  ban(address: string, secs = DEFAULT_BAN_SECS, reason = "manual"): BanEntry {
    const now = this.#now();
    const entry = { address, createdSecs: now, untilSecs: now + secs, reason };
    this.#bans.set(address, entry);
    return entry;
  }

  /** Lifts a ban; returns whether there was one. */
  unban(address: string): boolean {
    return this.#bans.delete(address);
  }

  /** Whether `address` is banned now (expired bans are dropped). */
  isBanned(address: string): boolean {
    const entry = this.#bans.get(address);
    if (!entry) return false;
    if (entry.untilSecs <= this.#now()) {
      this.#bans.delete(address);
      return false;
    }
    return true;
  }

  /** The current bans, expired ones dropped. */
  list(): BanEntry[] {
    const now = this.#now();
    for (const [k, e] of this.#bans) if (e.untilSecs <= now) this.#bans.delete(k);
    return [...this.#bans.values()];
  }

  /** Removes every ban. */
  clear(): void {
    this.#bans.clear();
  }

  /** Writes the bans as JSON (atomically). */
  async save(path: string): Promise<void> {
    await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(this.list())));
  }

  /** Loads bans saved by {@linkcode BanList.save}; a missing or bad file loads nothing. */
  async load(path: string): Promise<number> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch {
      return 0;
    }
    let n = 0;
    try {
      const items = JSON.parse(text);
      if (!Array.isArray(items)) return 0;
      for (const e of items) {
        if (
          typeof e?.address === "string" && Number.isSafeInteger(e.untilSecs) &&
          Number.isSafeInteger(e.createdSecs) && typeof e.reason === "string"
        ) {
          this.#bans.set(e.address, {
            address: e.address,
            createdSecs: e.createdSecs,
            untilSecs: e.untilSecs,
            reason: e.reason,
          });
          n++;
        }
      }
    } catch {
      return 0;
    }
    return n;
  }
}
