/**
 * The evaluation corpus the sampled Proof-of-Training rule draws its windows from (PROTOCOL
 * §4, §5.9): the whole King James Bible (4,137,850 bytes, bundled gzip-compressed as
 * `core/data/corpus-kjv.txt.gz`) followed by the bundled Austen text (4,025,034 bytes), 8,162,884
 * bytes of public-domain English, pinned by size and keccak256d of the uncompressed whole.
 *
 * It is the corpus of regtest and testnet, whose params pin its chunk Merkle root (PROTOCOL
 * §4.1; the node checks it with `node/corpus/open_corpus.ts`). It is NOT large enough for mainnet
 * (its growth ceiling, 4096 × 48, can memorise it many times over): mainnet needs a larger corpus
 * pinned by its root in the params and fetched from peers in verified chunks (built:
 * `net/sync/corpus_sync.ts`); none is pinned yet.
 *
 * @module
 */
import { keccak256d, toHex } from "../../core/crypto/keccak.ts";
import { loadSampleTrain } from "./datasets.ts";

/** The gzip-compressed KJV part: file, uncompressed size and keccak256d. */
export const CORPUS_KJV = Object.freeze({
  file: "corpus-kjv.txt.gz",
  bytes: 4_137_850,
  keccak256d: "3feea6ef3b782383771c4405f94bcc10ab8d3ef788def8c42e9cddb89ee7f3e9",
});

/** The whole corpus (KJV ‖ Austen): size and keccak256d. */
export const EVAL_CORPUS = Object.freeze({
  bytes: 8_162_884,
  keccak256d: "8ab2484c2e77392f3dea2004515a92b2b138addfbce3db32410639d32bc7e4f4",
});

const DATA_DIR = new URL("../../core/data/", import.meta.url);

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Reads and checks the evaluation corpus. Throws an Error naming the file when a part is
 * missing, corrupt, or the whole does not match its pinned size and keccak256d.
 *
 * @example
 * ```ts ignore
 * import { loadEvalCorpus } from "./eval_corpus.ts";
 * console.log((await loadEvalCorpus()).length); // 8162884
 * ```
 */
export async function loadEvalCorpus(dataDir: URL = DATA_DIR): Promise<Uint8Array> {
  const url = new URL(CORPUS_KJV.file, dataDir);
  let kjv: Uint8Array;
  try {
    kjv = await gunzip(await Deno.readFile(url));
  } catch (err) {
    throw new Error(`Cannot read the evaluation corpus at ${url.href}`, { cause: err });
  }
  if (kjv.length !== CORPUS_KJV.bytes || toHex(keccak256d(kjv)) !== CORPUS_KJV.keccak256d) {
    throw new Error(`Evaluation corpus part ${url.href} does not match its pinned hash`);
  }
  const austen = await loadSampleTrain({ dataDir });
  const all = new Uint8Array(kjv.length + austen.length);
  all.set(kjv);
  all.set(austen, kjv.length);
  if (all.length !== EVAL_CORPUS.bytes || toHex(keccak256d(all)) !== EVAL_CORPUS.keccak256d) {
    throw new Error("Evaluation corpus does not match its pinned size and hash");
  }
  return all;
}
