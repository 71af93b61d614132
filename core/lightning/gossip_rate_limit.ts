/**
 * Token buckets per gossip origin (a channel direction or a node), on the local clock: each
 * origin may send `burst` updates at once, then one per `intervalSecs`. A node that changes its
 * fees every second cannot make every node on the network re-verify and relay every change.
 * LND has the same two knobs (`gossip.max-channel-update-burst`,
 * `gossip.channel-update-interval`); the figures here are rnt's own (PROTOCOL.md §9.9).
 *
 * @module
 */

/** Updates an origin may send at once. */
export const GOSSIP_RATE_BURST = 4;
/** Seconds per further update once the burst is spent. */
export const GOSSIP_RATE_INTERVAL_SECS = 300;

interface Bucket {
  tokens: number;
  atSecs: number;
}

/**
 * Per-key token buckets. `take` consumes a token when one is left; keys whose bucket is full
 * again are forgotten by `forgetFull`, so memory follows the active origins only.
 *
 * @example
 * ```ts
 * import { GossipRateLimiter } from "./gossip_rate_limit.ts";
 * const limiter = new GossipRateLimiter(2, 60);
 * console.log(limiter.take("a", 0), limiter.take("a", 0), limiter.take("a", 0)); // true true false
 * console.log(limiter.take("a", 60)); // true
 * ```
 */
export class GossipRateLimiter {
  readonly #burst: number;
  readonly #intervalSecs: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(burst = GOSSIP_RATE_BURST, intervalSecs = GOSSIP_RATE_INTERVAL_SECS) {
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be ≥ 1: ${burst}`);
    if (!(intervalSecs > 0)) throw new RangeError(`intervalSecs must be > 0: ${intervalSecs}`);
    this.#burst = burst;
    this.#intervalSecs = intervalSecs;
  }

  /** True when `key` has a token left at `nowSecs` (and spends it). */
  take(key: string, nowSecs: number): boolean {
    const bucket = this.#refilled(key, nowSecs);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return true;
  }

  /** True when `key` would be allowed at `nowSecs` (spends nothing). */
  allows(key: string, nowSecs: number): boolean {
    return this.#refilled(key, nowSecs).tokens >= 1;
  }

  /** Drops the buckets that have refilled completely by `nowSecs`. */
  forgetFull(nowSecs: number): void {
    for (const key of [...this.#buckets.keys()]) {
      if (this.#refilled(key, nowSecs).tokens >= this.#burst) this.#buckets.delete(key);
    }
  }

  #refilled(key: string, nowSecs: number): Bucket {
    const old = this.#buckets.get(key);
    if (!old) return { tokens: this.#burst, atSecs: nowSecs };
    const elapsed = Math.max(0, nowSecs - old.atSecs);
    const tokens = Math.min(this.#burst, old.tokens + elapsed / this.#intervalSecs);
    old.tokens = tokens;
    old.atSecs = Math.max(old.atSecs, nowSecs);
    return old;
  }
}
