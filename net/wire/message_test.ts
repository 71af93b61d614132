import assert from "node:assert/strict";
import { DecodeError } from "../../core/errors.ts";
import { ByteWriter } from "../../core/encoding/byte_writer.ts";
import {
  checkRandomInputs,
  checkTruncations,
  expectDecodeError,
  seededBytes,
} from "../../core/encoding/_testing.ts";
import { encodeHeader } from "../../core/primitives/block.ts";
import { encodeTx } from "../../core/primitives/tx.ts";
import { checkpointRoot, chunkHashes, merkleProof } from "../../core/checkpoint/chunks.ts";
import { hash, LIMITS, sampleHeader, sampleMessages } from "./_fixtures.ts";
import {
  MAX_ADDR_ENTRIES,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_PROOF_HASHES,
  MAX_HEADERS_RESULTS,
  MAX_INV_ITEMS,
  MAX_LOCATOR_HASHES,
  MAX_USER_AGENT_BYTES,
} from "./limits.ts";
import { decodeMessage, encodeMessage, type Message } from "./message.ts";
import { MessageId } from "./message_id.ts";
import { verifyChunkMessage } from "./checkpoint_chunk.ts";
import { verifyCorpusChunkMessage } from "./corpus_chunk.ts";
import { toHex } from "../../core/crypto/keccak.ts";

const decode = (b: Uint8Array) => decodeMessage(b, LIMITS);

Deno.test("decodeMessage() round-trips every message type to the same bytes", () => {
  const seen = new Set<string>();
  for (const msg of sampleMessages()) {
    const bytes = encodeMessage(msg);
    const back = decode(bytes);
    assert.deepEqual(back, msg, msg.type);
    assert.deepEqual(encodeMessage(back), bytes, msg.type);
    seen.add(msg.type);
  }
  assert.deepEqual([...seen].sort(), [...Object.keys(MessageId), "ln"].sort());
});

Deno.test("decodeMessage() rejects every truncation and a trailing byte", () => {
  for (const msg of sampleMessages()) {
    if (msg.type === "ln") continue; // opaque payload: any length is fine
    checkTruncations(decode, encodeMessage(msg));
  }
});

Deno.test("decodeMessage() only ever throws DecodeError on seeded random bytes", () => {
  let seed = 1;
  for (const msg of sampleMessages()) {
    checkRandomInputs(decode, encodeMessage(msg), 400, seed++);
  }
});

Deno.test("decodeMessage() rejects unknown ids and accepts the whole ln_* range", () => {
  for (let id = 0; id < 256; id++) {
    const bytes = new Uint8Array([id]);
    if (id >= 0x80 && id <= 0xbf) {
      const msg = decode(bytes);
      assert.equal(msg.type === "ln" && msg.id, id);
    } else if (id > 0x0e) {
      assert.throws(() => decode(bytes), DecodeError, `id ${id}`);
    }
  }
  expectDecodeError(() => decode(new Uint8Array()), "empty");
});

/** `id ‖ CompactSize(count) ‖ count × item`. */
function listMessage(
  id: number,
  count: number,
  item: Uint8Array,
  tail: Uint8Array = new Uint8Array(),
) {
  const w = new ByteWriter(count * item.length + 16).writeU8(id).writeCompactSize(count);
  for (let i = 0; i < count; i++) w.writeBytes(item);
  return w.writeBytes(tail).finish();
}

const ADDR_ITEM = new ByteWriter().writeU64(1).writeU64(1n).writeU8(1)
  .writeBytes(new Uint8Array([1, 2, 3, 4])).writeU16(9555).finish();
const INV_ITEM = new Uint8Array([1, ...hash(1)]);
const HEADER = encodeHeader(sampleHeader(1));

Deno.test("decodeMessage() accepts each list at its cap and rejects one more", () => {
  const cases: [string, number, number, Uint8Array, Uint8Array?][] = [
    ["addr", MessageId.addr, MAX_ADDR_ENTRIES, ADDR_ITEM],
    ["inv", MessageId.inv, MAX_INV_ITEMS, INV_ITEM],
    ["getdata", MessageId.getdata, MAX_INV_ITEMS, INV_ITEM],
    ["notfound", MessageId.notfound, MAX_INV_ITEMS, INV_ITEM],
    ["getheaders", MessageId.getheaders, MAX_LOCATOR_HASHES, hash(1), hash(0)],
    ["headers", MessageId.headers, MAX_HEADERS_RESULTS, HEADER],
  ];
  for (const [name, id, max, item, tail] of cases) {
    assert.ok(decode(listMessage(id, max, item, tail)), name);
    assert.throws(() => decode(listMessage(id, max + 1, item, tail)), DecodeError, name);
  }
});

Deno.test("decodeMessage() rejects a huge count before allocating", () => {
  for (const id of [MessageId.addr, MessageId.inv, MessageId.headers, MessageId.getheaders]) {
    // Claims the cap, carries one item: must fail on the count alone.
    const w = new ByteWriter().writeU8(id).writeCompactSize(
      id === MessageId.addr
        ? MAX_ADDR_ENTRIES
        : id === MessageId.inv
        ? MAX_INV_ITEMS
        : id === MessageId.headers
        ? MAX_HEADERS_RESULTS
        : MAX_LOCATOR_HASHES,
    );
    assert.throws(() => decode(w.writeBytes(HEADER).finish()), /needs at least/);
  }
});

Deno.test("encodeMessage() refuses lists above their caps with RangeError", () => {
  const item = { type: 1 as const, hash: hash(1) };
  const entry = {
    address: { network: "ipv4" as const, bytes: new Uint8Array(4), port: 1 },
    services: 0n,
    lastSeenSecs: 0,
  };
  const bad: Message[] = [
    { type: "inv", items: new Array(MAX_INV_ITEMS + 1).fill(item) },
    { type: "addr", entries: new Array(MAX_ADDR_ENTRIES + 1).fill(entry) },
    {
      type: "getheaders",
      locator: new Array(MAX_LOCATOR_HASHES + 1).fill(hash(1)),
      stopHash: hash(0),
    },
    { type: "headers", headers: new Array(MAX_HEADERS_RESULTS + 1).fill(sampleHeader(1)) },
    { type: "ln", id: 0x7f, payload: new Uint8Array() },
  ];
  for (const msg of bad) assert.throws(() => encodeMessage(msg), RangeError, msg.type);
});

Deno.test("decodeMessage() caps the user agent at 256 bytes and requires UTF-8", () => {
  const version = sampleMessages()[0]! as Extract<Message, { type: "version" }>;
  const at = { ...version, userAgent: "x".repeat(MAX_USER_AGENT_BYTES) };
  assert.equal((decode(encodeMessage(at)) as typeof at).userAgent.length, 256);
  assert.throws(() => encodeMessage({ ...at, userAgent: "x".repeat(257) }), RangeError);
  // Patch the length byte to 257 by hand (0xfd 0x01 0x01).
  const bytes = encodeMessage(at);
  const lenAt = 1 + 4 + 4 + 8 + 4 + 32 + 4 + 8;
  assert.deepEqual([...bytes.subarray(lenAt, lenAt + 3)], [0xfd, 0x00, 0x01]);
  const over = new Uint8Array([
    ...bytes.subarray(0, lenAt),
    0xfd,
    0x01,
    0x01,
    0x78,
    ...bytes.subarray(lenAt + 3),
  ]);
  assert.throws(() => decode(over), /exceeds maximum 256/);
  const bad = encodeMessage({ ...version, userAgent: "ab" });
  bad[lenAt + 1] = 0xff;
  assert.throws(() => decode(bad), /not UTF-8/);
});

Deno.test("decodeMessage() caps ckptchunk at 1 MiB and 32 proof hashes", () => {
  const full = {
    type: "ckptchunk" as const,
    blockHash: hash(1),
    chunkIndex: 0,
    chunk: new Uint8Array(MAX_CHUNK_BYTES),
    proof: new Array(MAX_CHUNK_PROOF_HASHES).fill(hash(2)),
  };
  assert.deepEqual(decode(encodeMessage(full)), full);
  const w = new ByteWriter(MAX_CHUNK_BYTES + 64).writeU8(MessageId.ckptchunk)
    .writeBytes(hash(1)).writeU32(0).writeVarBytes(new Uint8Array(MAX_CHUNK_BYTES + 1))
    .writeCompactSize(0);
  assert.throws(() => decode(w.finish()), /exceeds maximum/);
  const p = new ByteWriter().writeU8(MessageId.ckptchunk).writeBytes(hash(1)).writeU32(0)
    .writeVarBytes(new Uint8Array(1)).writeCompactSize(MAX_CHUNK_PROOF_HASHES + 1);
  for (let i = 0; i <= MAX_CHUNK_PROOF_HASHES; i++) p.writeBytes(hash(i));
  assert.throws(() => decode(p.finish()), /exceeds maximum 32/);
  assert.throws(
    () => encodeMessage({ ...full, chunk: new Uint8Array(MAX_CHUNK_BYTES + 1) }),
    RangeError,
  );
});

Deno.test("decodeMessage() rejects block and tx payloads above the network limits", () => {
  const [block, tx] = sampleMessages().filter((m) => m.type === "block" || m.type === "tx");
  const blockBytes = encodeMessage(block!);
  assert.throws(
    () => decodeMessage(blockBytes, { ...LIMITS, maxBlockBytes: blockBytes.length - 2 }),
    DecodeError,
  );
  const txLen = encodeTx((tx as Extract<Message, { type: "tx" }>).tx).length;
  assert.throws(
    () => decodeMessage(encodeMessage(tx!), { ...LIMITS, maxTxBytes: txLen - 1 }),
    DecodeError,
  );
  assert.throws(
    () => decodeMessage(blockBytes, { ...LIMITS, maxTxBytes: txLen - 1 }),
    DecodeError,
  );
});

Deno.test("decodeMessage() rejects unknown inventory types and address networks", () => {
  for (const type of [0, 5]) {
    assert.throws(
      () => decode(new Uint8Array([MessageId.inv, 1, type, ...hash(1)])),
      new RegExp(`inventory type ${type}`),
    );
  }
  const entry = ADDR_ITEM.slice();
  entry[16] = 3; // BIP155 Tor v2: not supported
  assert.throws(() => decode(listMessage(MessageId.addr, 1, entry)), /address network 3/);
  const mapped = new ByteWriter().writeU8(MessageId.addr).writeCompactSize(1).writeU64(0)
    .writeU64(0n).writeU8(2).writeBytes(
      new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]),
    )
    .writeU16(1).finish();
  assert.throws(() => decode(mapped), /IPv4-mapped/);
});

Deno.test("verifyChunkMessage() accepts a received chunk only against its header's root", () => {
  const ckpt = seededBytes(7)(2 * MAX_CHUNK_BYTES + 100); // three distinct chunks
  const hashes = chunkHashes(ckpt);
  const header = {
    ...sampleHeader(5),
    checkpointRoot: checkpointRoot(ckpt),
    checkpointSize: ckpt.length,
  };
  for (let index = 0; index < 3; index++) {
    const msg = {
      type: "ckptchunk" as const,
      blockHash: hash(1),
      chunkIndex: index,
      chunk: ckpt.slice(index * MAX_CHUNK_BYTES, (index + 1) * MAX_CHUNK_BYTES),
      proof: merkleProof(hashes, index),
    };
    const got = decode(encodeMessage(msg)) as typeof msg;
    assert.ok(verifyChunkMessage(got, header), `chunk ${index}`);
    const tampered = got.chunk.slice();
    tampered[7]! ^= 1;
    assert.equal(verifyChunkMessage({ ...got, chunk: tampered }, header), false);
    assert.equal(verifyChunkMessage({ ...got, chunkIndex: (index + 1) % 3 }, header), false);
    assert.equal(
      verifyChunkMessage(got, { ...header, checkpointRoot: hash(0) }),
      false,
    );
  }
});

Deno.test("decodeMessage() caps corpuschunk at 1 MiB and 32 proof hashes, as ckptchunk", () => {
  const full = {
    type: "corpuschunk" as const,
    root: hash(3),
    chunkIndex: 7,
    chunk: new Uint8Array(MAX_CHUNK_BYTES),
    proof: new Array(MAX_CHUNK_PROOF_HASHES).fill(hash(4)),
  };
  assert.deepEqual(decode(encodeMessage(full)), full);
  const w = new ByteWriter(MAX_CHUNK_BYTES + 64).writeU8(MessageId.corpuschunk)
    .writeBytes(hash(1)).writeU32(0).writeVarBytes(new Uint8Array(MAX_CHUNK_BYTES + 1))
    .writeCompactSize(0);
  assert.throws(() => decode(w.finish()), /exceeds maximum/);
  const p = new ByteWriter().writeU8(MessageId.corpuschunk).writeBytes(hash(1)).writeU32(0)
    .writeVarBytes(new Uint8Array(1)).writeCompactSize(MAX_CHUNK_PROOF_HASHES + 1);
  for (let i = 0; i <= MAX_CHUNK_PROOF_HASHES; i++) p.writeBytes(hash(i));
  assert.throws(() => decode(p.finish()), /exceeds maximum 32/);
  assert.throws(() => encodeMessage({ ...full, root: new Uint8Array(31) }), RangeError);
});

Deno.test("verifyCorpusChunkMessage() accepts a chunk only under the pinned root and length", () => {
  const corpus = seededBytes(11)(MAX_CHUNK_BYTES + 500); // two chunks
  const hashes = chunkHashes(corpus);
  const root = checkpointRoot(corpus);
  const pin = {
    rootHex: toHex(root),
    bytes: corpus.length,
    chunkBytes: MAX_CHUNK_BYTES,
    bundled: false,
  };
  for (let index = 0; index < 2; index++) {
    const msg = {
      type: "corpuschunk" as const,
      root,
      chunkIndex: index,
      chunk: corpus.slice(index * MAX_CHUNK_BYTES, (index + 1) * MAX_CHUNK_BYTES),
      proof: merkleProof(hashes, index),
    };
    const got = decode(encodeMessage(msg)) as typeof msg;
    assert.ok(verifyCorpusChunkMessage(got, pin), `chunk ${index}`);
    const tampered = got.chunk.slice();
    tampered[3]! ^= 1;
    assert.equal(verifyCorpusChunkMessage({ ...got, chunk: tampered }, pin), false);
    assert.equal(verifyCorpusChunkMessage({ ...got, chunkIndex: 1 - index }, pin), false);
    // A chunk of another corpus, even if it verifies under its own root, is not this network's.
    assert.equal(verifyCorpusChunkMessage(got, { ...pin, rootHex: toHex(hash(0)) }), false);
    // The last chunk's length ties the chunks to the pinned byte count (the root commits the
    // chunk count only).
    if (index === 1) {
      assert.equal(verifyCorpusChunkMessage(got, { ...pin, bytes: corpus.length + 1 }), false);
    }
  }
});
