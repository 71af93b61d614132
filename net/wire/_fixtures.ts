/**
 * Sample messages for the wire tests (private).
 *
 * @module
 */
import type { BlockHeader } from "../../core/primitives/block.ts";
import { sampleSpend } from "../../core/primitives/_fixtures.ts";
import type { Message, WireLimits } from "./message.ts";
import { InvType } from "./inventory.ts";

/** Regtest-like limits. */
export const LIMITS: WireLimits = { maxBlockBytes: 1_000_000, maxTxBytes: 100_000 };

const MAGIC = new Uint8Array([0x72, 0x6e, 0x74, 0x03]);

/** 32 bytes of `b`. */
export function hash(b: number): Uint8Array {
  return new Uint8Array(32).fill(b);
}

/** A header with distinct field values (unsigned data; decoders do not verify it). */
export function sampleHeader(height: number): BlockHeader {
  return {
    version: 1,
    height,
    prevHash: hash(height),
    txRoot: hash(2),
    witnessRoot: hash(3),
    checkpointRoot: hash(4),
    checkpointSize: 123_456,
    dModel: 16,
    nLayers: 1,
    parentSampleLossMicroNats: 5_100_000 - height,
    sampleLossMicroNats: 5_000_000 - height,
    timestampSecs: 1_800_000_000 + height,
    minerKey: hash(5),
    signature: new Uint8Array(64).fill(6),
  };
}

/** One sample of every message type. */
export function sampleMessages(): Message[] {
  const tx = sampleSpend(MAGIC).tx;
  return [
    {
      type: "version",
      networkMagic: MAGIC,
      protocolVersion: 1,
      services: 3n,
      bestHeight: 1234,
      tipHash: hash(9),
      tipLossMicroNats: 4_321_000,
      nonce: 0xfedc_ba98_7654_3210n,
      userAgent: "/rnt:0.1.0/ ✓",
      listenPort: 29555,
    },
    { type: "verack" },
    { type: "ping", nonce: 1n },
    { type: "pong", nonce: 0xffff_ffff_ffff_ffffn },
    { type: "getaddr" },
    {
      type: "addr",
      entries: [
        {
          address: { network: "ipv4", bytes: new Uint8Array([8, 8, 4, 4]), port: 9555 },
          services: 1n,
          lastSeenSecs: 1_800_000_000,
        },
        {
          address: { network: "ipv6", bytes: new Uint8Array(16).fill(0x20), port: 1 },
          services: 0n,
          lastSeenSecs: 0,
        },
        {
          address: { network: "torv3", bytes: hash(0x33), port: 65535 },
          services: 7n,
          lastSeenSecs: 1,
        },
      ],
    },
    { type: "inv", items: [{ type: InvType.block, hash: hash(1) }] },
    {
      type: "getdata",
      items: [{ type: InvType.tx, hash: hash(2) }, { type: InvType.ckpt, hash: hash(3) }],
    },
    { type: "notfound", items: [] },
    { type: "getheaders", locator: [hash(1), hash(2)], stopHash: hash(0) },
    { type: "headers", headers: [sampleHeader(1), sampleHeader(2)] },
    { type: "block", block: { header: sampleHeader(7), txs: [tx] } },
    { type: "tx", tx },
    { type: "getckpt", blockHash: hash(7), chunkIndex: 3 },
    {
      type: "ckptchunk",
      blockHash: hash(7),
      chunkIndex: 2,
      chunk: new Uint8Array(40).map((_, i) => i),
      proof: [hash(10), hash(11)],
    },
    { type: "getcorpus", root: hash(8), chunkIndex: 5 },
    {
      type: "corpuschunk",
      root: hash(8),
      chunkIndex: 1,
      chunk: new Uint8Array(50).map((_, i) => 255 - i),
      proof: [hash(12)],
    },
    { type: "notfound", items: [{ type: InvType.corpus, hash: hash(8) }] },
    { type: "ln", id: 0x80, payload: new Uint8Array([1, 2, 3]) },
  ];
}
