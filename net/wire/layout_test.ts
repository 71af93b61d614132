/**
 * The P2P byte tables of docs/PROTOCOL.md §8.2–§8.4, checked against the encoder: each message is
 * encoded from known values and every field is read back at the offset the tables state (offset
 * 0 is the message id; the payload starts at 1).
 */
import assert from "node:assert/strict";
import { encodeMessage } from "./message.ts";

const fill = (n: number, b: number) => new Uint8Array(n).fill(b);
const le = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

Deno.test("version is laid out as PROTOCOL §8.3's table says", () => {
  const b = encodeMessage({
    type: "version",
    networkMagic: new Uint8Array([0xd9, 0x52, 0x4e, 0x03]),
    protocolVersion: 1,
    services: 3n,
    bestHeight: 0x01020304,
    tipHash: fill(32, 0x11),
    tipLossMicroNats: 5_708_006,
    nonce: 0x0102_0304_0506_0708n,
    userAgent: "/rnt:0.1.0/",
    listenPort: 18444,
  });
  const v = le(b);
  assert.equal(b[0], 0x00);
  assert.deepEqual([...b.subarray(1, 5)], [0xd9, 0x52, 0x4e, 0x03]);
  assert.equal(v.getUint32(5, true), 1);
  assert.equal(v.getBigUint64(9, true), 3n);
  assert.equal(v.getUint32(17, true), 0x01020304);
  assert.deepEqual(b.subarray(21, 53), fill(32, 0x11));
  assert.equal(v.getUint32(53, true), 5_708_006);
  assert.equal(v.getBigUint64(57, true), 0x0102_0304_0506_0708n);
  assert.equal(b[65], 11);
  assert.equal(new TextDecoder().decode(b.subarray(66, 77)), "/rnt:0.1.0/");
  assert.equal(v.getUint16(77, true), 18444);
  assert.equal(b.length, 79);
});

Deno.test("ping, inv, getheaders, getckpt, ckptchunk, getcorpus, corpuschunk and addr are laid out as §8.2 and §8.4 say", () => {
  const ping = encodeMessage({ type: "ping", nonce: 0x0102_0304_0506_0708n });
  assert.deepEqual([ping[0], ping.length], [0x02, 9]);
  assert.equal(le(ping).getBigUint64(1, true), 0x0102_0304_0506_0708n);

  const inv = encodeMessage({ type: "inv", items: [{ type: 3, hash: fill(32, 0x22) }] });
  assert.deepEqual([inv[0], inv[1], inv[2], inv.length], [0x06, 1, 3, 35]);
  assert.deepEqual(inv.subarray(3, 35), fill(32, 0x22));

  const gh = encodeMessage({
    type: "getheaders",
    locator: [fill(32, 1), fill(32, 2)],
    stopHash: fill(32, 0),
  });
  assert.deepEqual([gh[0], gh[1], gh.length], [0x09, 2, 98]);
  assert.deepEqual(gh.subarray(2, 34), fill(32, 1));
  assert.deepEqual(gh.subarray(34, 66), fill(32, 2));
  assert.deepEqual(gh.subarray(66, 98), fill(32, 0));

  const gc = encodeMessage({ type: "getckpt", blockHash: fill(32, 0x33), chunkIndex: 7 });
  assert.deepEqual([gc[0], gc.length], [0x0d, 37]);
  assert.deepEqual(gc.subarray(1, 33), fill(32, 0x33));
  assert.equal(le(gc).getUint32(33, true), 7);

  const cc = encodeMessage({
    type: "ckptchunk",
    blockHash: fill(32, 0x44),
    chunkIndex: 2,
    chunk: fill(300, 0x55),
    proof: [fill(32, 0x66)],
  });
  const ccv = le(cc);
  assert.equal(cc[0], 0x0e);
  assert.deepEqual(cc.subarray(1, 33), fill(32, 0x44));
  assert.equal(ccv.getUint32(33, true), 2);
  assert.deepEqual([cc[37], ccv.getUint16(38, true)], [0xfd, 300]); // CompactSize(300)
  assert.deepEqual(cc.subarray(40, 340), fill(300, 0x55));
  assert.equal(cc[340], 1);
  assert.deepEqual(cc.subarray(341, 373), fill(32, 0x66));
  assert.equal(cc.length, 373);

  const gq = encodeMessage({ type: "getcorpus", root: fill(32, 0x77), chunkIndex: 5 });
  assert.deepEqual([gq[0], gq.length], [0x0f, 37]);
  assert.deepEqual(gq.subarray(1, 33), fill(32, 0x77));
  assert.equal(le(gq).getUint32(33, true), 5);

  const qc = encodeMessage({
    type: "corpuschunk",
    root: fill(32, 0x77),
    chunkIndex: 1,
    chunk: fill(300, 0x55),
    proof: [fill(32, 0x66)],
  });
  assert.equal(qc[0], 0x10);
  assert.deepEqual(qc.subarray(1, 33), fill(32, 0x77));
  assert.equal(le(qc).getUint32(33, true), 1);
  assert.deepEqual([qc[37], le(qc).getUint16(38, true)], [0xfd, 300]);
  assert.deepEqual(qc.subarray(40, 340), fill(300, 0x55));
  assert.deepEqual([qc[340], qc.length], [1, 373]);

  const nf = encodeMessage({ type: "notfound", items: [{ type: 4, hash: fill(32, 0x77) }] });
  assert.deepEqual([nf[0], nf[1], nf[2], nf.length], [0x08, 1, 4, 35]);

  const addr = encodeMessage({
    type: "addr",
    entries: [{
      lastSeenSecs: 1_700_000_000,
      services: 1n,
      address: { network: "ipv4", bytes: new Uint8Array([127, 0, 0, 1]), port: 18444 },
    }],
  });
  const av = le(addr);
  assert.deepEqual([addr[0], addr[1]], [0x05, 1]);
  assert.equal(av.getBigUint64(2, true), 1_700_000_000n);
  assert.equal(av.getBigUint64(10, true), 1n);
  assert.equal(addr[18], 1); // network id: IPv4
  assert.deepEqual([...addr.subarray(19, 23)], [127, 0, 0, 1]);
  assert.equal(av.getUint16(23, true), 18444); // port little-endian
  assert.equal(addr.length, 25);
});
