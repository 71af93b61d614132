/**
 * The node's copy of its network's evaluation corpus (PROTOCOL §4): one buffer of the pinned
 * length that the chainstate samples windows from, and which chunks of it are held and verified.
 *
 * - A bundled corpus or a local file (`--corpus FILE`) is checked whole against the pinned root
 *   and is complete from the start ({@linkcode CorpusStore.complete}).
 * - Otherwise ({@linkcode CorpusStore.openFetched}) chunks fetched from peers are kept in
 *   `<datadir>/corpus/<root>/chunk-NNNNN`, one file per chunk holding its Merkle proof and its
 *   bytes, each written atomically (temp file, fsync, rename, directory fsync) only after it
 *   verified against the root. A `kill -9` loses at most the chunk being written, never a
 *   verified one; on restart every file is verified again (a damaged one is deleted and fetched
 *   again) and the fetch resumes with the missing chunks.
 *
 * Every window of the corpus can be sampled by some block, so a validating node keeps all of it.
 *
 * @module
 */
import { chunkCount, chunkHashes, merkleProof, verifyChunk } from "../../core/checkpoint/chunks.ts";
import { corpusMismatch, type EvalCorpusPin } from "../../core/consensus/eval_corpus_pin.ts";
import { fromHex } from "../../core/crypto/keccak.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import type { CorpusChunks, ServedChunk } from "../../net/sync/corpus_sync.ts";

/** Folder of the fetched chunks of the corpus `pin` inside `datadir`. */
export function corpusDir(datadir: string, pin: EvalCorpusPin): string {
  return `${datadir}/corpus/${pin.rootHex}`;
}

function chunkFileName(index: number): string {
  return `chunk-${String(index).padStart(5, "0")}`;
}

/** `u8 proofLen ‖ proofLen × 32 ‖ chunk`. */
function encodeChunkFile(chunk: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(1 + 32 * proof.length + chunk.length);
  out[0] = proof.length;
  proof.forEach((h, i) => out.set(h, 1 + 32 * i));
  out.set(chunk, 1 + 32 * proof.length);
  return out;
}

function decodeChunkFile(
  bytes: Uint8Array,
): { chunk: Uint8Array; proof: Uint8Array[] } | undefined {
  if (bytes.length < 1) return undefined;
  const n = bytes[0]!;
  if (bytes.length < 1 + 32 * n) return undefined;
  const proof: Uint8Array[] = [];
  for (let i = 0; i < n; i++) proof.push(bytes.subarray(1 + 32 * i, 33 + 32 * i));
  return { chunk: bytes.subarray(1 + 32 * n), proof };
}

/** The corpus of one network, complete or being fetched. */
export class CorpusStore implements CorpusChunks {
  readonly pin: EvalCorpusPin;
  readonly count: number;
  /**
   * The corpus buffer (the pinned length). Chunks are copied in as they verify; consensus reads
   * it only once {@linkcode CorpusStore.complete} is true (node/corpus/corpus_gate.ts).
   */
  readonly bytes: Uint8Array;
  readonly #root: Uint8Array;
  readonly #dir: string | undefined;
  readonly #held: boolean[];
  readonly #proofs: (readonly Uint8Array[] | undefined)[];
  readonly #waiters: (() => void)[] = [];
  #heldCount = 0;
  #hashes: Uint8Array[] | undefined;

  private constructor(pin: EvalCorpusPin, dir: string | undefined, bytes: Uint8Array) {
    this.pin = pin;
    this.#root = fromHex(pin.rootHex);
    this.#dir = dir;
    this.bytes = bytes;
    this.count = chunkCount(pin.bytes);
    this.#held = new Array(this.count).fill(false);
    this.#proofs = new Array(this.count).fill(undefined);
  }

  /**
   * A complete corpus: `bytes` are checked against `pin` (length and Merkle root).
   *
   * @throws Error naming `source` when they do not match (never a silent consensus split)
   */
  static complete(pin: EvalCorpusPin, bytes: Uint8Array, source: string): CorpusStore {
    const why = corpusMismatch(bytes, pin);
    if (why !== undefined) throw new Error(`The evaluation corpus from ${source} is wrong: ${why}`);
    const store = new CorpusStore(pin, undefined, bytes);
    store.#held.fill(true);
    store.#heldCount = store.count;
    return store;
  }

  /**
   * The corpus as fetched so far into `datadir`: every chunk file is verified against the root
   * and copied into the buffer; a file that fails is removed (fetched again), as are temp files
   * left by a write that was interrupted.
   */
  static async openFetched(datadir: string, pin: EvalCorpusPin): Promise<CorpusStore> {
    const dir = corpusDir(datadir, pin);
    await Deno.mkdir(dir, { recursive: true });
    const store = new CorpusStore(pin, dir, new Uint8Array(pin.bytes));
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      const m = /^chunk-(\d{5})$/.exec(entry.name);
      const index = m ? Number(m[1]) : -1;
      if (!entry.isFile || index < 0 || index >= store.count) {
        await Deno.remove(path).catch(() => {});
        continue;
      }
      const file = decodeChunkFile(await Deno.readFile(path));
      if (!file || !store.#accept(index, file.chunk, file.proof)) await Deno.remove(path);
    }
    return store;
  }

  /** Chunks held and verified. */
  get heldCount(): number {
    return this.#heldCount;
  }

  /** Whether every chunk is held (the corpus may be used for consensus). */
  get complete(): boolean {
    return this.#heldCount === this.count;
  }

  /** Whether chunk `index` is held. */
  has(index: number): boolean {
    return this.#held[index] === true;
  }

  /** Resolves once the corpus is complete. */
  whenComplete(): Promise<void> {
    if (this.complete) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Chunk `index` with its proof, for a peer; undefined when not held. */
  served(index: number): ServedChunk | undefined {
    if (!this.has(index)) return undefined;
    const start = index * this.pin.chunkBytes;
    const chunk = this.bytes.subarray(start, Math.min(start + this.pin.chunkBytes, this.pin.bytes));
    let proof = this.#proofs[index];
    if (proof === undefined) {
      this.#hashes ??= chunkHashes(this.bytes);
      proof = merkleProof(this.#hashes, index);
    }
    return { chunk, proof };
  }

  /**
   * Verifies chunk `index` against the root and, when it holds, stores it durably and copies it
   * into the buffer. False (nothing stored) when it does not verify.
   */
  async add(index: number, chunk: Uint8Array, proof: readonly Uint8Array[]): Promise<boolean> {
    if (this.has(index)) return true;
    if (!verifyChunk(chunk, index, this.pin.bytes, proof, this.#root)) return false;
    if (this.#dir !== undefined) {
      await writeFileAtomic(`${this.#dir}/${chunkFileName(index)}`, encodeChunkFile(chunk, proof));
    }
    this.#accept(index, chunk, proof, true);
    return true;
  }

  /** Verifies (unless done) and takes a chunk into the buffer; false when it fails. */
  #accept(
    index: number,
    chunk: Uint8Array,
    proof: readonly Uint8Array[],
    verified = false,
  ): boolean {
    if (this.has(index)) return true;
    if (!verified && !verifyChunk(chunk, index, this.pin.bytes, proof, this.#root)) return false;
    this.bytes.set(chunk, index * this.pin.chunkBytes);
    this.#proofs[index] = proof.map((h) => h.slice());
    this.#held[index] = true;
    this.#heldCount++;
    if (this.complete) { for (const w of this.#waiters.splice(0)) w(); }
    return true;
  }
}
