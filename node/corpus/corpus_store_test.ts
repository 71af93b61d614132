import assert from "node:assert/strict";
import { chunkHashes, merkleProof, verifyChunk } from "../../core/checkpoint/chunks.ts";
import { corpusRootHex, type EvalCorpusPin } from "../../core/consensus/eval_corpus_pin.ts";
import { fromHex } from "../../core/crypto/keccak.ts";
import { corpusDir, CorpusStore } from "./corpus_store.ts";

const MiB = 1 << 20;

/** A 2.5 MiB seeded corpus (three chunks, the last one short) and its pin. */
function smallCorpus(): { bytes: Uint8Array; pin: EvalCorpusPin } {
  const bytes = new Uint8Array(2 * MiB + MiB / 2);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return {
    bytes,
    pin: { rootHex: corpusRootHex(bytes), bytes: bytes.length, chunkBytes: MiB, bundled: false },
  };
}

function chunkOf(bytes: Uint8Array, i: number): Uint8Array {
  return bytes.slice(i * MiB, (i + 1) * MiB);
}

Deno.test("CorpusStore.complete() takes matching bytes and refuses others, naming the source", () => {
  const { bytes, pin } = smallCorpus();
  const store = CorpusStore.complete(pin, bytes, "test.txt");
  assert.equal(store.complete, true);
  assert.equal(store.count, 3);
  const bad = bytes.slice();
  bad[MiB + 7]! ^= 0x40;
  assert.throws(() => CorpusStore.complete(pin, bad, "bad.txt"), /corpus from bad\.txt is wrong/);
  assert.throws(
    () => CorpusStore.complete(pin, bytes.subarray(1), "short.txt"),
    /is 2621439 bytes, the network pins 2621440/,
  );
});

Deno.test("CorpusStore serves each chunk with a proof that verifies against the pinned root", () => {
  const { bytes, pin } = smallCorpus();
  const store = CorpusStore.complete(pin, bytes, "test");
  for (let i = 0; i < 3; i++) {
    const s = store.served(i)!;
    assert.ok(verifyChunk(s.chunk, i, pin.bytes, s.proof, fromHex(pin.rootHex)), `chunk ${i}`);
  }
  assert.equal(store.served(3), undefined);
});

Deno.test("CorpusStore.openFetched() keeps verified chunks across a restart and resumes", async () => {
  const { bytes, pin } = smallCorpus();
  const dir = await Deno.makeTempDir();
  try {
    const hashes = chunkHashes(bytes);
    const first = await CorpusStore.openFetched(dir, pin);
    assert.equal(first.heldCount, 0);
    // A chunk that does not verify is refused and nothing is written.
    const forged = chunkOf(bytes, 1);
    forged[0]! ^= 1;
    assert.equal(await first.add(1, forged, merkleProof(hashes, 1)), false);
    assert.equal(await first.add(0, chunkOf(bytes, 0), merkleProof(hashes, 0)), true);
    assert.equal(await first.add(2, chunkOf(bytes, 2), merkleProof(hashes, 2)), true);
    assert.equal(first.complete, false);
    // A temp file from a write that was killed midway is removed on the next start.
    await Deno.writeFile(`${corpusDir(dir, pin)}/chunk-00001.tmp-deadbeef`, new Uint8Array(9));

    const second = await CorpusStore.openFetched(dir, pin);
    assert.deepEqual([second.has(0), second.has(1), second.has(2)], [true, false, true]);
    assert.deepEqual(second.bytes.subarray(2 * MiB), bytes.subarray(2 * MiB));
    const names = [...Deno.readDirSync(corpusDir(dir, pin))].map((e) => e.name).sort();
    assert.deepEqual(names, ["chunk-00000", "chunk-00002"]);
    const done = second.whenComplete();
    assert.equal(await second.add(1, chunkOf(bytes, 1), merkleProof(hashes, 1)), true);
    await done;
    assert.deepEqual(second.bytes, bytes);
    // A chunk served from the fetched copy carries the proof it arrived with.
    const s = second.served(1)!;
    assert.ok(verifyChunk(s.chunk, 1, pin.bytes, s.proof, fromHex(pin.rootHex)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CorpusStore.openFetched() deletes a damaged chunk file and fetches it again", async () => {
  const { bytes, pin } = smallCorpus();
  const dir = await Deno.makeTempDir();
  try {
    const hashes = chunkHashes(bytes);
    const store = await CorpusStore.openFetched(dir, pin);
    await store.add(0, chunkOf(bytes, 0), merkleProof(hashes, 0));
    const path = `${corpusDir(dir, pin)}/chunk-00000`;
    const file = await Deno.readFile(path);
    file[file.length - 1]! ^= 0xff;
    await Deno.writeFile(path, file);
    const reopened = await CorpusStore.openFetched(dir, pin);
    assert.equal(reopened.heldCount, 0);
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
