/**
 * Named points in the Lightning service where a crash test stops it so that it can kill the
 * node with SIGKILL at exactly that point (tests/ln_restart_test.ts). The environment variable
 * {@link CRASH_POINT_ENV} names the point; at it the service logs a line and its step never
 * ends (nothing after it is stored or sent). Unset, every point is a no-op.
 *
 * @module
 */

/** The environment variable naming the point to stop at. */
export const CRASH_POINT_ENV = "RNT_TEST_CRASH_AT";

/** The points the service has. */
export type CrashPoint =
  /** An incoming HTLC with a next hop is locked in and stored; nothing is forwarded yet. */
  | "forward-locked-in"
  /** The forward is written; the outgoing HTLC is not stored yet. */
  | "forward-entry-saved"
  /** The next hop fulfilled the outgoing HTLC (stored); the incoming HTLC is not fulfilled yet. */
  | "forward-fulfilled";

let wanted: string | undefined | null = null;

function wantedPoint(): string | undefined {
  if (wanted === null) {
    try {
      wanted = Deno.env.get(CRASH_POINT_ENV) || undefined;
    } catch {
      wanted = undefined; // no env permission: no test is driving this process
    }
  }
  return wanted;
}

/**
 * Resolves at once, except at the point named by {@link CRASH_POINT_ENV}: then `log` says so and
 * the promise never settles (the test kills the process).
 */
export function crashPoint(point: CrashPoint, log: (line: string) => void): Promise<void> {
  if (wantedPoint() !== point) return Promise.resolve();
  log(`test crash point ${point}: stopped, waiting to be killed`);
  return new Promise<void>(() => {});
}
