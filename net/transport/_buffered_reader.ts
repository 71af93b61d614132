import type { ByteStream } from "./byte_stream.ts";

const BUFFER_BYTES = 64 * 1024;

/**
 * Exact-length reads over a {@link ByteStream}: small reads (length fields, small frames) are
 * served from a 64 KiB buffer; reads at least that large go straight into the caller's buffer,
 * so big frames are never copied twice.
 */
export class BufferedReader {
  readonly #stream: ByteStream;
  readonly #buffer = new Uint8Array(BUFFER_BYTES);
  #start = 0;
  #end = 0;

  constructor(stream: ByteStream) {
    this.#stream = stream;
  }

  /**
   * Fills `target` completely unless the stream ends first.
   * @returns The number of bytes written into `target`; less than its length only at EOF.
   */
  async readFull(target: Uint8Array): Promise<number> {
    let filled = this.#take(target, 0);
    while (filled < target.length) {
      const wanted = target.length - filled;
      if (wanted >= BUFFER_BYTES) {
        const n = await this.#stream.read(target.subarray(filled));
        if (n === null) return filled;
        filled += n;
      } else {
        const n = await this.#stream.read(this.#buffer);
        if (n === null) return filled;
        this.#start = 0;
        this.#end = n;
        filled = this.#take(target, filled);
      }
    }
    return filled;
  }

  #take(target: Uint8Array, filled: number): number {
    const n = Math.min(this.#end - this.#start, target.length - filled);
    if (n > 0) {
      target.set(this.#buffer.subarray(this.#start, this.#start + n), filled);
      this.#start += n;
    }
    return filled + n;
  }
}
