/**
 * The node's clock: system time in seconds, or a fixed mock time set by the regtest RPC
 * `setmocktime` (Core's `SetMockTime`; 0 returns to the system clock).
 *
 * @module
 */

/** A clock the node, the chainstate and the miner read. */
export interface NodeClock {
  /** Seconds since the epoch (the mock time while one is set). */
  nowSecs(): number;
}

/**
 * System clock with an optional mock time.
 *
 * @example
 * ```ts
 * import { MockableClock } from "./clock.ts";
 * const clock = new MockableClock();
 * clock.setMockTime(1_800_000_000);
 * console.log(clock.nowSecs()); // 1800000000
 * clock.setMockTime(0); // back to the system clock
 * ```
 */
export class MockableClock implements NodeClock {
  #mockSecs = 0;
  readonly #systemMs: () => number;

  /** @param systemMs the real time source in ms (default Date.now) */
  constructor(systemMs: () => number = Date.now) {
    this.#systemMs = systemMs;
  }

  /** Seconds since the epoch: the mock time when set, otherwise the system time. */
  nowSecs(): number {
    return this.#mockSecs > 0 ? this.#mockSecs : Math.floor(this.#systemMs() / 1000);
  }

  /** The mock time in seconds, 0 when none is set. */
  get mockSecs(): number {
    return this.#mockSecs;
  }

  /** Sets the mock time (seconds); 0 clears it. RangeError for a negative or fractional value. */
  setMockTime(secs: number): void {
    if (!Number.isSafeInteger(secs) || secs < 0) {
      throw new RangeError(`Mock time must be a non-negative integer, got ${secs}`);
    }
    this.#mockSecs = secs;
  }
}
