import { MemoryByteStream } from "./memory_pipe.ts";

/** What a {@link createTappedPipe} saw and controls. */
export interface Tap {
  /** Every write of end `a`, whole, in order. */
  aToB: Uint8Array[];
  /** Every write of end `b`, whole, in order. */
  bToA: Uint8Array[];
  /** While true, writes are recorded but not delivered; the test delivers with `push`. */
  hold: boolean;
}

/** A memory pipe whose traffic a test can record, withhold, alter and replay. */
export function createTappedPipe(): { a: MemoryByteStream; b: MemoryByteStream; tap: Tap } {
  const tap: Tap = { aToB: [], bToA: [], hold: false };
  const a: MemoryByteStream = new MemoryByteStream((bytes) => {
    tap.aToB.push(bytes);
    if (!tap.hold) b.push(bytes);
  }, () => b.end());
  const b: MemoryByteStream = new MemoryByteStream((bytes) => {
    tap.bToA.push(bytes);
    if (!tap.hold) a.push(bytes);
  }, () => a.end());
  return { a, b, tap };
}
