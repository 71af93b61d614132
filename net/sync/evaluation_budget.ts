/**
 * A per-network-group budget of block evaluation time for peers not yet proven honest (PROTOCOL
 * §8.11): a forged Proof-of-Training claim costs its sender a signature and the node an
 * evaluation, so blocks from peers that never delivered a connected block may use, per address
 * group (IPv4 /16, IPv6 /32, one group per onion prefix), at most a burst and then a fixed share
 * of wall time. A peer that delivered a connected block is not charged. A block over budget is
 * not rejected: it waits until its group's budget has refilled.
 *
 * @module
 */

/** Burst and share of the budget. */
export interface EvaluationBudgetOptions {
  /** Seconds of evaluation a group may use at once (default 30). */
  readonly burstSecs?: number;
  /** Seconds of evaluation a group earns per second of wall time (default 0.25). */
  readonly share?: number;
}

/**
 * The address group of a peer's host: IPv4 /16, IPv6 /32 (the first two hextets as written),
 * otherwise the first character of the name (onions are grouped like Bitcoin Core's 4 bits).
 *
 * @example
 * ```ts
 * import { hostGroup } from "./evaluation_budget.ts";
 * console.log(hostGroup("203.0.113.7"), hostGroup("2001:db8::1")); // "203.0" "2001:db8"
 * ```
 */
export function hostGroup(host: string): string {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(h)) return h.split(".").slice(0, 2).join(".");
  if (h.includes(":")) return h.split(":").slice(0, 2).join(":");
  return `name:${h.slice(0, 1)}`;
}

/** Token buckets of evaluation seconds, one per group. */
export class EvaluationBudget {
  readonly #burst: number;
  readonly #share: number;
  readonly #nowMs: () => number;
  readonly #buckets = new Map<string, { balance: number; atMs: number }>();

  constructor(options: EvaluationBudgetOptions = {}, nowMs: () => number = () => Date.now()) {
    this.#burst = options.burstSecs ?? 30;
    this.#share = options.share ?? 0.25;
    if (!(this.#burst > 0) || !(this.#share > 0)) {
      throw new RangeError("evaluation budget needs a positive burst and share");
    }
    this.#nowMs = nowMs;
  }

  #bucket(group: string): { balance: number; atMs: number } {
    const now = this.#nowMs();
    const b = this.#buckets.get(group) ?? { balance: this.#burst, atMs: now };
    b.balance = Math.min(this.#burst, b.balance + (now - b.atMs) / 1000 * this.#share);
    b.atMs = now;
    this.#buckets.set(group, b);
    return b;
  }

  /** Seconds until `group` may start another evaluation (0: now). */
  waitSecs(group: string): number {
    const b = this.#bucket(group);
    return b.balance >= 0 ? 0 : -b.balance / this.#share;
  }

  /** Charges `secs` of evaluation to `group` (the balance may go negative: it is paid back). */
  charge(group: string, secs: number): void {
    this.#bucket(group).balance -= Math.max(0, secs);
    if (this.#buckets.size > 10_000) {
      // Full buckets carry no state: forget them so the map stays small.
      for (const [k, v] of this.#buckets) if (v.balance >= this.#burst) this.#buckets.delete(k);
    }
  }
}
