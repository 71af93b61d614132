/**
 * Where a node takes its evaluation corpus from (`rnt node --corpus`, README): the copy bundled
 * with the software, a local file, or chunks fetched from peers into the datadir. Whatever the
 * source, the bytes must match the Merkle root pinned in the network's params before consensus
 * uses them (PROTOCOL §4); a mismatch is a startup error, never a silent consensus split.
 *
 * @module
 */
import type { NetworkParams } from "../../core/consensus/params.ts";
import { loadEvalCorpus } from "../../gpu/model/eval_corpus.ts";
import { corpusDir, CorpusStore } from "./corpus_store.ts";

/** The corpus source a node is started with. */
export type CorpusSource =
  | { readonly kind: "bundled" }
  | { readonly kind: "fetch" }
  | { readonly kind: "file"; readonly path: string };

/**
 * Opens the corpus of `params` from `source`: complete for "bundled" and "file" (checked
 * against the pinned root), possibly incomplete for "fetch" (chunks already in `datadir`,
 * each verified again; the rest is fetched from peers by the sync).
 *
 * @throws Error when the network pins no corpus, the source cannot be read or does not match
 */
export async function openCorpus(
  params: NetworkParams,
  source: CorpusSource,
  datadir: string,
  log: (line: string) => void,
): Promise<CorpusStore> {
  const pin = params.evalCorpus;
  if (pin === null) throw new Error(`${params.name} pins no evaluation corpus yet`);
  if (source.kind === "bundled") {
    if (!pin.bundled) throw new Error(`${params.name}'s evaluation corpus is not bundled`);
    const store = CorpusStore.complete(pin, await loadEvalCorpus(), "the bundled copy");
    log(`corpus: bundled, ${pin.bytes} bytes, root ${pin.rootHex} verified`);
    return store;
  }
  if (source.kind === "file") {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(source.path);
    } catch (e) {
      throw new Error(`Cannot read the corpus file ${source.path}: ${(e as Error).message}`);
    }
    const store = CorpusStore.complete(pin, bytes, source.path);
    log(`corpus: ${source.path}, ${pin.bytes} bytes, root ${pin.rootHex} verified`);
    return store;
  }
  const store = await CorpusStore.openFetched(datadir, pin);
  log(
    `corpus: ${store.heldCount} of ${store.count} chunks verified in ${corpusDir(datadir, pin)}` +
      (store.complete ? "" : "; the rest is fetched from peers"),
  );
  return store;
}
