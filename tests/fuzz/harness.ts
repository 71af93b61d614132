/**
 * A small deterministic fuzz harness for decoders: seeded random inputs and mutations (bit
 * flips, boundary bytes, inserts, deletes, truncation, splicing, duplicated ranges, length
 * fields rewritten to boundary values) of a corpus of valid encodings. Every input either
 * decodes or is rejected with the decoder's named error; anything else, and a decoded input
 * that does not re-encode to the same bytes where the format is canonical, fails the campaign
 * with the seed and input index, so it replays.
 *
 * The PRNG is the project's mulberry32 (`SeededRng` of gpu/train/window_sampler.ts, a pure
 * module), not another copy.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { SeededRng } from "../../gpu/train/window_sampler.ts";

/** One decoder under test. */
export interface FuzzTarget<T = unknown> {
  /** Short name, as reported. */
  name: string;
  /** Valid encodings the mutations start from (made with the project's own encoders). */
  seeds: readonly Uint8Array[];
  /** The decoder; may be async. */
  decode(bytes: Uint8Array): T | Promise<T>;
  /** Whether `error` is one the decoder documents (e.g. DecodeError). */
  isNamedError(error: unknown): boolean;
  /**
   * The canonical encoding of a decoded value, for formats that promise one: every input that
   * decodes must equal it. Omit for formats without that promise.
   */
  reencode?(value: T, input: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /** Called for every value that decodes, for extra checks; throw to fail. */
  check?(value: T, input: Uint8Array): void;
}

/** What a campaign saw. */
export interface CampaignResult {
  /** Target name. */
  name: string;
  /** Inputs run. */
  inputs: number;
  /** Inputs that decoded. */
  decoded: number;
  /** Rejections by error name and first words of the message (a rough histogram). */
  rejections: Map<string, number>;
  /** Wall time in ms. */
  elapsedMs: number;
}

/** Byte values at the edges of the integer encodings the decoders read. */
const BOUNDARY_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfc, 0xfd, 0xfe, 0xff];

/**
 * Length-field rewrites: CompactSize at and past each width (and non-canonical forms), and
 * u16/u32/u64 little-endian extremes.
 */
const LENGTH_FIELDS: readonly Uint8Array[] = [
  [0x00],
  [0xfc],
  [0xfd, 0xfd, 0x00],
  [0xfd, 0xfc, 0x00], // non-canonical: 252 in 3 bytes
  [0xfd, 0xff, 0xff],
  [0xfe, 0x00, 0x00, 0x01, 0x00],
  [0xfe, 0xff, 0xff, 0x00, 0x00], // non-canonical
  [0xfe, 0xff, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xff, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00], // non-canonical
  [0xff, 0xff],
  [0xff, 0xff, 0xff, 0xff],
  [0x00, 0x00, 0x00, 0x80],
  [0xff, 0xff, 0xff, 0x7f],
  [0x01, 0x00, 0x10, 0x00], // 1 MiB + 1
  [0x00, 0x00, 0x40, 0x00], // 4 MiB
].map((b) => Uint8Array.from(b));

/** Makes fuzz inputs from a seeded PRNG and a corpus. */
export class Mutator {
  readonly #rng: SeededRng;
  readonly #seeds: readonly Uint8Array[];
  readonly #maxLength: number;

  /**
   * @param seed PRNG seed.
   * @param seeds Valid encodings to mutate.
   */
  constructor(seed: number, seeds: readonly Uint8Array[]) {
    if (seeds.length === 0) throw new RangeError("A fuzz corpus needs at least one seed");
    this.#rng = new SeededRng(seed);
    this.#seeds = seeds;
    this.#maxLength = Math.max(64, ...seeds.map((s) => s.length)) * 2;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.#rng.nextInt(n);
  }

  #bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }

  #pickSeed(): Uint8Array {
    return this.#seeds[this.int(this.#seeds.length)]!;
  }

  /**
   * The next input: about 3% an unchanged seed, 7% fresh random bytes, the rest a seed with
   * one to four stacked mutations.
   */
  next(): Uint8Array {
    const roll = this.int(100);
    if (roll < 3) return this.#pickSeed().slice();
    if (roll < 10) return this.#bytes(this.int(Math.min(this.#maxLength, 4096) + 1));
    let input: Uint8Array = this.#pickSeed().slice();
    for (let n = 1 + this.int(4); n > 0; n--) input = this.mutate(input);
    return input;
  }

  /** One random mutation of `input` (a new array when the length changes). */
  mutate(input: Uint8Array): Uint8Array {
    const at = this.int(input.length + 1);
    switch (this.int(10)) {
      case 0: // bit flip
        if (input.length > 0) input[at % input.length]! ^= 1 << this.int(8);
        return input;
      case 1: // boundary byte
        if (input.length > 0) {
          input[at % input.length] = BOUNDARY_BYTES[this.int(BOUNDARY_BYTES.length)]!;
        }
        return input;
      case 2: // random byte
        if (input.length > 0) input[at % input.length] = this.int(256);
        return input;
      case 3: // insert random bytes
        return concat(input.subarray(0, at), this.#bytes(1 + this.int(8)), input.subarray(at));
      case 4: { // delete a range
        const end = Math.min(input.length, at + 1 + this.int(16));
        return concat(input.subarray(0, at), input.subarray(end));
      }
      case 5: // truncate
        return input.slice(0, at);
      case 6: { // splice: this prefix, another seed's suffix
        const other = this.#pickSeed();
        return concat(input.subarray(0, at), other.subarray(this.int(other.length + 1)));
      }
      case 7: { // duplicate a range
        const end = Math.min(input.length, at + 1 + this.int(64));
        return concat(input.subarray(0, end), input.subarray(at, end), input.subarray(end));
      }
      default: { // rewrite a length field: overwrite (or insert) a boundary encoding
        const field = LENGTH_FIELDS[this.int(LENGTH_FIELDS.length)]!;
        if (this.int(2) === 0) return concat(input.subarray(0, at), field, input.subarray(at));
        const out = input.slice();
        out.set(field.subarray(0, Math.max(0, out.length - at)), Math.min(at, out.length));
        return out;
      }
    }
  }
}

/** Concatenates byte arrays into a new one. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describe(input: Uint8Array): string {
  const hex = toHex(input.subarray(0, 512));
  return `${input.length} bytes: ${hex}${input.length > 512 ? "…" : ""}`;
}

/** Thrown when a campaign finds a defect; the message replays it. */
export class FuzzFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FuzzFailure";
  }
}

function rejectionKey(error: unknown): string {
  const e = error as Error;
  const reason = (e as { reason?: unknown }).reason;
  const words = String(e?.message ?? e).split(/[\s:]/).slice(0, 3).join(" ");
  return `${e?.name ?? typeof e}${typeof reason === "string" ? `(${reason})` : ""}: ${words}`;
}

/**
 * Runs `inputs` inputs from {@linkcode Mutator} with `seed` through `target`. Throws
 * FuzzFailure on an error the target does not name, or a decoded input whose canonical
 * re-encoding differs.
 */
export async function runCampaign<T>(
  target: FuzzTarget<T>,
  inputs: number,
  seed: number,
): Promise<CampaignResult> {
  const mutator = new Mutator(seed, target.seeds);
  const rejections = new Map<string, number>();
  let decoded = 0;
  const start = performance.now();
  for (let i = 0; i < inputs; i++) {
    const input = mutator.next();
    const where = () => `${target.name}, seed ${seed}, input ${i} (${describe(input)})`;
    let value: T;
    try {
      const out = target.decode(input);
      value = out instanceof Promise ? await out : out;
    } catch (error) {
      if (!target.isNamedError(error)) {
        throw new FuzzFailure(`${where()}: threw ${(error as Error)?.stack ?? error}`);
      }
      const key = rejectionKey(error);
      rejections.set(key, (rejections.get(key) ?? 0) + 1);
      continue;
    }
    decoded++;
    try {
      target.check?.(value, input);
      if (target.reencode) {
        const again = await target.reencode(value, input);
        if (!equalBytes(again, input)) {
          throw new Error(`re-encodes to different bytes (${describe(again)})`);
        }
      }
    } catch (error) {
      throw new FuzzFailure(`${where()}: decoded, but ${(error as Error)?.message ?? error}`);
    }
  }
  return { name: target.name, inputs, decoded, rejections, elapsedMs: performance.now() - start };
}
