import assert from "node:assert/strict";
import {
  checkpointRoot,
  CHUNK_BYTES,
  chunkHashes,
  merkleProof,
  verifyChunk,
} from "../../core/checkpoint/chunks.ts";
import type { EvalCorpusPin } from "../../core/consensus/eval_corpus_pin.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { ProtocolError } from "../../core/errors.ts";
import type { Peer } from "../peer/peer.ts";
import { InvType, type Message } from "../wire/mod.ts";
import { type CorpusChunks, CorpusSync } from "./corpus_sync.ts";

/** A 3.5 MiB seeded corpus: four chunks, the last one short. */
const BYTES = new Uint8Array(3 * CHUNK_BYTES + CHUNK_BYTES / 2).map((_, i) =>
  (i * 31 + (i >> 11)) & 0xff
);
const HASHES = chunkHashes(BYTES);
const ROOT = checkpointRoot(BYTES);
const PIN: EvalCorpusPin = {
  rootHex: toHex(ROOT),
  bytes: BYTES.length,
  chunkBytes: CHUNK_BYTES,
  bundled: false,
};

const chunkOf = (i: number) => BYTES.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES);

/** An in-memory corpus holding the chunks in `held`. */
function memoryCorpus(held: number[]): CorpusChunks & { readonly got: Set<number> } {
  const got = new Set(held);
  return {
    pin: PIN,
    count: 4,
    got,
    get heldCount() {
      return got.size;
    },
    get complete() {
      return got.size === 4;
    },
    has: (i) => got.has(i),
    served: (i) => got.has(i) ? { chunk: chunkOf(i), proof: merkleProof(HASHES, i) } : undefined,
    add: (i, chunk, proof) => {
      const ok = verifyChunk(chunk, i, PIN.bytes, proof, ROOT);
      if (ok) got.add(i);
      return Promise.resolve(ok);
    },
  };
}

/** Just what the sync uses of a peer: id, ready, send. */
function fakePeer(id: number): Peer & { sent: Message[] } {
  const sent: Message[] = [];
  return { id, ready: true, sent, send: (m: Message) => sent.push(m) } as unknown as
    & Peer
    & { sent: Message[] };
}

const asked = (p: { sent: Message[] }) =>
  p.sent.flatMap((m) => m.type === "getcorpus" ? [m.chunkIndex] : []);

Deno.test("CorpusSync asks for each missing chunk once, spread over peers, and elsewhere after notfound", async () => {
  const corpus = memoryCorpus([1]);
  const a = fakePeer(1), b = fakePeer(2);
  const logs: string[] = [];
  const sync = new CorpusSync(corpus, () => [a, b], (l) => logs.push(l));
  sync.schedule();
  assert.deepEqual([...asked(a), ...asked(b)].sort(), [0, 2, 3]);
  sync.schedule();
  assert.equal(asked(a).length + asked(b).length, 3, "nothing asked twice while in flight");
  // a lacks the corpus: its requests go to b.
  const fromA = asked(a);
  await sync.handle(a, { type: "notfound", items: [{ type: InvType.corpus, hash: ROOT }] });
  sync.schedule();
  assert.deepEqual(asked(b).sort(), [0, 2, 3]);
  assert.deepEqual(asked(a), fromA, "a is not asked again before a request timeout");
  // b lacks it too: nobody left to ask, and the log says so.
  await sync.handle(b, { type: "notfound", items: [{ type: InvType.corpus, hash: ROOT }] });
  sync.schedule();
  assert.match(logs.at(-1)!, /no connected peer serves the missing chunks \(1 of 4 held\)/);
});

Deno.test("CorpusSync stores verified chunks from anyone, ignores duplicates and punishes a forged one", async () => {
  const logs: string[] = [];
  const corpus = memoryCorpus([]);
  const a = fakePeer(1), b = fakePeer(2);
  const sync = new CorpusSync(corpus, () => [a, b], (l) => logs.push(l));
  sync.schedule();
  const chunk = (i: number) => ({
    type: "corpuschunk" as const,
    root: ROOT,
    chunkIndex: i,
    chunk: chunkOf(i),
    proof: merkleProof(HASHES, i),
  });
  for (const i of [0, 1, 2]) await sync.handle(i === 2 ? b : a, chunk(i)); // 2 from whoever
  await sync.handle(a, chunk(0)); // a late duplicate
  assert.deepEqual([...corpus.got].sort(), [0, 1, 2]);
  const forged = chunk(3);
  forged.chunk[9]! ^= 1;
  await assert.rejects(
    () => sync.handle(b, forged),
    (e) =>
      e instanceof ProtocolError && e.reason === "invalid-chunk" &&
      /corpus chunk 3/.test(e.message),
  );
  await assert.rejects(
    () => sync.handle(b, { ...chunk(3), root: new Uint8Array(32) }),
    ProtocolError,
  );
  assert.equal(corpus.got.has(3), false);
  await sync.handle(a, chunk(3));
  assert.equal(sync.complete, true);
  assert.match(logs.join("\n"), /corpus: chunk 3 verified from peer 1 \(4\/4 chunks/);
  assert.match(logs.at(-1)!, /corpus: complete \(4 chunks, 3670016 bytes/);
});

Deno.test("CorpusSync serves held chunks with a verifying proof and notfound for the rest", async () => {
  const sync = new CorpusSync(memoryCorpus([0, 3]), () => [], () => {});
  const p = fakePeer(5);
  for (const i of [0, 3]) {
    await sync.handle(p, { type: "getcorpus", root: ROOT, chunkIndex: i });
    const m = p.sent.at(-1)!;
    assert.ok(m.type === "corpuschunk" && verifyChunk(m.chunk, i, PIN.bytes, m.proof, ROOT));
  }
  for (const [root, i] of [[ROOT, 1], [ROOT, 4], [new Uint8Array(32).fill(9), 0]] as const) {
    await sync.handle(p, { type: "getcorpus", root, chunkIndex: i });
    const m = p.sent.at(-1)!;
    assert.ok(m.type === "notfound" && m.items[0]!.type === InvType.corpus, `${i}`);
  }
});

Deno.test("CorpusSync asks another peer when a request times out", async () => {
  const corpus = memoryCorpus([0, 1, 2]);
  const a = fakePeer(1), b = fakePeer(2);
  let peers = [a];
  const sync = new CorpusSync(corpus, () => peers, () => {}, { requestTimeoutMs: 20 });
  sync.schedule();
  assert.deepEqual(asked(a), [3]);
  peers = [a, b];
  await new Promise((r) => setTimeout(r, 30));
  sync.schedule();
  assert.deepEqual(asked(b), [3]);
  assert.deepEqual(asked(a), [3], "the peer that let it time out waits");
});
