/**
 * In-memory byte streams for tests: a connected pair, or a single end whose writes go to a
 * function of the test's choosing (to capture, tamper with, reorder or drop wire bytes).
 *
 * @module
 */
import type { ByteStream } from "./byte_stream.ts";

/**
 * One end of an in-memory stream. Bytes given to {@link MemoryByteStream.push} become readable;
 * bytes written go to the `sink` function.
 */
export class MemoryByteStream implements ByteStream {
  readonly #sink: (bytes: Uint8Array) => void;
  readonly #onClose: () => void;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #closed = false;
  #wake: (() => void) | null = null;

  /**
   * @param sink Receives a copy of every write, whole (one call per `write`).
   * @param onClose Called once when this end is closed.
   */
  constructor(sink: (bytes: Uint8Array) => void, onClose: () => void = () => {}) {
    this.#sink = sink;
    this.#onClose = onClose;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Makes `bytes` (copied) readable from this end. Ignored after `end()` or `close()`. */
  push(bytes: Uint8Array): void {
    if (this.#ended || this.#closed || bytes.length === 0) return;
    this.#chunks.push(bytes.slice());
    this.#notify();
  }

  /** Marks the end of the readable bytes: reads return `null` once the queue is drained. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** Reads queued bytes, waiting for some when none are queued. */
  async read(buffer: Uint8Array): Promise<number | null> {
    while (true) {
      if (this.#closed) return null;
      const chunk = this.#chunks[0];
      if (chunk !== undefined) {
        const n = Math.min(chunk.length, buffer.length);
        buffer.set(chunk.subarray(0, n));
        if (n === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(n);
        return n;
      }
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
  }

  /** Hands a copy of `bytes` to the sink. Fails after `close()`. */
  write(bytes: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("Stream is closed"));
    this.#sink(bytes.slice());
    return Promise.resolve(bytes.length);
  }

  /** Closes this end: pending and later reads return `null`, later writes fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#chunks = [];
    this.#notify();
    this.#onClose();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

/**
 * Creates two connected in-memory stream ends: what one writes, the other reads; closing one
 * ends the other's reads.
 *
 * @returns The two ends.
 *
 * @example
 * ```ts
 * import { createMemoryPipe } from "./memory_pipe.ts";
 * const [a, b] = createMemoryPipe();
 * await a.write(new Uint8Array([1, 2]));
 * const buffer = new Uint8Array(2);
 * if (await b.read(buffer) !== 2) throw new Error("short read");
 * ```
 */
export function createMemoryPipe(): [MemoryByteStream, MemoryByteStream] {
  const a: MemoryByteStream = new MemoryByteStream((bytes) => b.push(bytes), () => b.end());
  const b: MemoryByteStream = new MemoryByteStream((bytes) => a.push(bytes), () => a.end());
  return [a, b];
}
