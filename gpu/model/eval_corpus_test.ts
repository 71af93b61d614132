import assert from "node:assert/strict";
import { loadValidationSet } from "./datasets.ts";
import { EVAL_CORPUS, loadEvalCorpus } from "./eval_corpus.ts";
import { corpusMismatch, corpusRootHex } from "../../core/consensus/eval_corpus_pin.ts";
import { MAINNET, REGTEST, TESTNET } from "../../core/consensus/params.ts";

Deno.test("loadEvalCorpus() returns the pinned KJV ‖ Austen corpus, holding the old mainnet set", async () => {
  const corpus = await loadEvalCorpus();
  assert.equal(corpus.length, EVAL_CORPUS.bytes);
  const mainnet = await loadValidationSet("mainnet");
  assert.deepEqual(corpus.subarray(0, mainnet.length), mainnet);
});

Deno.test("loadEvalCorpus() refuses a corrupt compressed part", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(
      new URL("../../core/data/sample-train.txt", import.meta.url),
      `${dir}/sample-train.txt`,
    );
    await Deno.writeFile(`${dir}/corpus-kjv.txt.gz`, new Uint8Array([1, 2, 3]));
    await assert.rejects(() => loadEvalCorpus(new URL(`file://${dir}/`)), /evaluation corpus/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the regtest and testnet params pin the Merkle root of the bundled corpus", async () => {
  const corpus = await loadEvalCorpus();
  for (const params of [REGTEST, TESTNET]) {
    const pin = params.evalCorpus!;
    assert.equal(pin.bundled, true);
    assert.equal(corpusMismatch(corpus, pin), undefined, params.name);
    assert.equal(corpusRootHex(corpus), pin.rootHex);
  }
  assert.equal(MAINNET.evalCorpus, null);
  const flipped = corpus.slice();
  flipped[5_000_000]! ^= 1;
  assert.match(
    corpusMismatch(flipped, REGTEST.evalCorpus!)!,
    /Merkle root .* is not the network's/,
  );
});
