/**
 * The bundled texts in `core/data/`: the three networks' validation sets (consensus data, pinned
 * by size and keccak256d, see docs/PROTOCOL.md §4) and a sample training text.
 *
 * Files are located relative to this module's `import.meta.url`, so they are found from
 * `deno run` and, when built with `deno compile --include core/data`, from the compiled binary.
 *
 * @module
 */
import { keccak256d, toHex } from "../../core/crypto/keccak.ts";

/** A network that has a bundled validation set. */
export type DatasetNetwork = "mainnet" | "testnet" | "regtest";

/** A bundled file: its name in `core/data/`, exact size and lower-case hex keccak256d. */
export interface BundledFile {
  /** File name inside `core/data/`. */
  readonly file: string;
  /** Exact size in bytes. */
  readonly bytes: number;
  /** keccak256d of the whole file, lower-case hex. */
  readonly keccak256d: string;
}

/**
 * Pinned validation sets. mainnet is the first 1 MiB of the King James Bible (one verse per
 * line, verse labels removed); testnet and regtest are its first 64 KiB and 4 KiB.
 */
export const VALIDATION_SETS: Readonly<Record<DatasetNetwork, BundledFile>> = Object.freeze({
  mainnet: {
    file: "validation-mainnet.txt",
    bytes: 1_048_576,
    keccak256d: "74b75486162bca19cc1c2730d248ca7882fc54b51e5f0f6dec7b75126f28d933",
  },
  testnet: {
    file: "validation-testnet.txt",
    bytes: 65_536,
    keccak256d: "2bde6550b84f05a5957147f5b33504c4064c42f0a2f5e397b65aebbd4dc27aa1",
  },
  regtest: {
    file: "validation-regtest.txt",
    bytes: 4_096,
    keccak256d: "14de3b3d0060fd31006d0b08dea2b535969d90464a90dbef0e2b7812f0a66012",
  },
});

/** Pinned sample training text: Jane Austen's six novels (not consensus data). */
export const SAMPLE_TRAIN: BundledFile = Object.freeze({
  file: "sample-train.txt",
  bytes: 4_025_034,
  keccak256d: "c83c16094b14c64f4c2da750095f380016dd5f2c3d2ec773a01d807d5e23d4fd",
});

/** Where the bundled files live unless a caller overrides it. */
const DEFAULT_DATA_DIR = new URL("../../core/data/", import.meta.url);

/** Options of the loaders. */
export interface LoadOptions {
  /** Folder holding the files (a `file:` URL ending in `/`); defaults to `core/data/`. */
  readonly dataDir?: URL;
}

/**
 * Reads a network's validation set and checks its size and keccak256d against the pinned values.
 *
 * @param network `"mainnet"`, `"testnet"` or `"regtest"`
 * @param options `dataDir` to read from another folder (tests)
 * @returns the exact bytes the consensus loss is computed on
 * @throws TypeError for an unknown network; Error when the file is missing, has the wrong size
 * or the wrong hash
 *
 * @example
 * ```ts
 * import { loadValidationSet } from "./datasets.ts";
 * const bytes = await loadValidationSet("regtest");
 * console.log(bytes.length); // 4096
 * ```
 */
export async function loadValidationSet(
  network: DatasetNetwork,
  options: LoadOptions = {},
): Promise<Uint8Array> {
  if (!Object.hasOwn(VALIDATION_SETS, network)) {
    throw new TypeError(`network must be mainnet, testnet or regtest, got ${String(network)}`);
  }
  return await readPinned(VALIDATION_SETS[network], `${network} validation set`, options);
}

/**
 * Reads the sample training text and checks its size and keccak256d against the pinned values.
 *
 * @example
 * ```ts
 * import { loadSampleTrain } from "./datasets.ts";
 * const text = await loadSampleTrain();
 * console.log(text.length > 1_000_000); // true
 * ```
 */
export async function loadSampleTrain(options: LoadOptions = {}): Promise<Uint8Array> {
  return await readPinned(SAMPLE_TRAIN, "sample training text", options);
}

/**
 * File-system path of the bundled sample training text (Jane Austen's six novels, UTF-8).
 *
 * @example
 * ```ts
 * import { sampleTrainPath } from "./datasets.ts";
 * const bytes = await Deno.readFile(sampleTrainPath());
 * ```
 */
export function sampleTrainPath(): string {
  return urlToPath(new URL(SAMPLE_TRAIN.file, DEFAULT_DATA_DIR));
}

/**
 * Byte unigram entropy `−Σ p(b)·ln p(b)` in nats over the 256 byte values: the loss of the best
 * model that ignores context, a baseline a trained model must beat.
 *
 * @param bytes at least one byte
 * @throws RangeError on empty input
 *
 * @example
 * ```ts
 * import { unigramEntropyNats } from "./datasets.ts";
 * unigramEntropyNats(new Uint8Array([0, 1])); // ≈ Math.LN2
 * ```
 */
export function unigramEntropyNats(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n === 0) throw new RangeError("bytes must not be empty, got length 0");
  const counts = new Float64Array(256);
  for (let i = 0; i < n; i++) counts[bytes[i]!]!++;
  // H = ln n − (1/n)·Σ c·ln c, summed in byte order.
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b]!;
    if (c > 0) sum += c * Math.log(c);
  }
  return Math.max(0, Math.log(n) - sum / n);
}

async function readPinned(
  pinned: BundledFile,
  what: string,
  options: LoadOptions,
): Promise<Uint8Array> {
  const url = new URL(pinned.file, options.dataDir ?? DEFAULT_DATA_DIR);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(url);
  } catch (err) {
    throw new Error(`Cannot read ${what} at ${url.href}`, { cause: err });
  }
  if (bytes.length !== pinned.bytes) {
    throw new Error(
      `${capitalise(what)} at ${url.href} has ${bytes.length} bytes, expected ${pinned.bytes}`,
    );
  }
  const hash = toHex(keccak256d(bytes));
  if (hash !== pinned.keccak256d) {
    throw new Error(
      `${capitalise(what)} at ${url.href} has keccak256d ${hash}, expected ${pinned.keccak256d}`,
    );
  }
  return bytes;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function urlToPath(url: URL): string {
  if (url.protocol !== "file:") {
    throw new Error(`Bundled data is not on the file system: ${url.href}`);
  }
  const path = decodeURIComponent(url.pathname);
  // file:///C:/x → C:/x on Windows; POSIX paths keep their leading slash.
  return Deno.build.os === "windows" ? path.replace(/^\/([A-Za-z]:)/, "$1") : path;
}
