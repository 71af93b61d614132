/**
 * Training batches of byte windows read from a file by random access. A miner's data may be
 * many gigabytes, so the file is never loaded whole: each window is one positioned read.
 *
 * @module
 */
import { mulberry32NextState, mulberry32Value } from "../../core/util/mulberry32.ts";

/** Deterministic 32-bit PRNG (mulberry32) for window offsets; seeded so runs are reproducible. */
export class SeededRng {
  #state: number;
  /** @param seed any 32-bit integer */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** Current internal state (saved with the optimizer state so training resumes exactly). */
  get state(): number {
    return this.#state;
  }
  set state(value: number) {
    this.#state = value >>> 0;
  }
  /** Next uniform float in [0, 1). */
  next(): number {
    this.#state = mulberry32NextState(this.#state);
    return mulberry32Value(this.#state);
  }
  /** Uniform integer in [0, n) for n ≤ 2^53 (two draws combined for large n). */
  nextInt(n: number): number {
    if (n <= 0x100000000) return Math.floor(this.next() * n);
    const hi = Math.floor(this.next() * 2 ** 21);
    const lo = Math.floor(this.next() * 2 ** 32);
    return (hi * 2 ** 32 + lo) % n;
  }
}

/** Reads random windows of `windowLen` bytes from a file or an in-memory byte source. */
export class WindowSampler {
  readonly #file: Deno.FsFile | null;
  readonly #bytes: Uint8Array | null;
  readonly #size: number;
  /** Window length in bytes. */
  readonly windowLen: number;
  /** Offset generator. */
  readonly rng: SeededRng;

  private constructor(
    file: Deno.FsFile | null,
    bytes: Uint8Array | null,
    size: number,
    windowLen: number,
    seed: number,
  ) {
    this.#file = file;
    this.#bytes = bytes;
    this.#size = size;
    this.windowLen = windowLen;
    this.rng = new SeededRng(seed);
  }

  /**
   * Opens `path` for sampling. Throws a clear Error when the file is missing or shorter than
   * one window.
   */
  static async open(path: string, windowLen: number, seed: number): Promise<WindowSampler> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      throw new Error(`cannot open training data ${path}: ${(e as Error).message}`);
    }
    const { size } = await file.stat();
    if (size < windowLen) {
      file.close();
      throw new Error(
        `training data ${path} has ${size} bytes; at least one window of ${windowLen} is needed`,
      );
    }
    return new WindowSampler(file, null, size, windowLen, seed);
  }

  /** Samples from bytes already in memory (tests, small data). */
  static fromBytes(bytes: Uint8Array, windowLen: number, seed: number): WindowSampler {
    if (bytes.length < windowLen) {
      throw new Error(`data has ${bytes.length} bytes; at least one window of ${windowLen} needed`);
    }
    return new WindowSampler(null, bytes, bytes.length, windowLen, seed);
  }

  /** Size of the data in bytes. */
  get size(): number {
    return this.#size;
  }

  /** Fills and returns `batch` windows as u32 tokens, window after window. */
  async nextBatch(batch: number): Promise<Uint32Array> {
    const w = this.windowLen;
    const tokens = new Uint32Array(batch * w);
    const buf = new Uint8Array(w);
    for (let b = 0; b < batch; b++) {
      const offset = this.rng.nextInt(this.#size - w + 1);
      if (this.#bytes) {
        buf.set(this.#bytes.subarray(offset, offset + w));
      } else {
        await this.#file!.seek(offset, Deno.SeekMode.Start);
        let got = 0;
        while (got < w) {
          const n = await this.#file!.read(buf.subarray(got));
          if (n === null) throw new Error("training data shrank while reading");
          got += n;
        }
      }
      tokens.set(buf, b * w);
    }
    return tokens;
  }

  /** Closes the file (no-op for in-memory data). */
  close(): void {
    this.#file?.close();
  }
}
