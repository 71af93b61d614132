/**
 * Allocation bounds: every length or count field a decoder reads is checked against its cap,
 * and against the bytes actually there, before anything is allocated for it. Each case is a
 * tiny input whose field claims far more than the cap (or than 2^32 items); a decoder that
 * allocated first would run out of memory or hang instead of throwing its named error.
 */
import assert from "node:assert/strict";
import { RNET_HEADER_BYTES, RNET_MAGIC } from "../../core/checkpoint/rnet.ts";
import { decodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { DecodeError, ProtocolError } from "../../core/errors.ts";
import { decodeBlock, encodeHeader } from "../../core/primitives/block.ts";
import { decodePolicy } from "../../core/primitives/policy_codec.ts";
import { parsePolicy } from "../../core/primitives/policy_text.ts";
import { decodeTx } from "../../core/primitives/tx.ts";
import { WalletFileError } from "../../core/wallet/wallet_errors.ts";
import {
  MAX_WALLET_FILE_BYTES,
  readWalletFileHeader,
  WALLET_HEADER_BYTES,
} from "../../core/wallet/wallet_file.ts";
import { LIMITS, sampleHeader } from "../../net/wire/_fixtures.ts";
import { decodeMessage } from "../../net/wire/message.ts";
import { MessageId } from "../../net/wire/message_id.ts";
import { parseJsonBounded } from "../../rpc/json_text.ts";
import { concat } from "./harness.ts";
import { transportFrameTarget } from "./targets.ts";
import { PacketEncryptor } from "../../net/transport/packet_cipher.ts";

/** CompactSize claims: 2^64 − 1, 2^32 − 1, and just past a 16-bit count. */
const HUGE_COUNTS = [
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0xfe, 0xff, 0xff, 0xff, 0xff],
  [0xfd, 0xff, 0xff],
].map((b) => Uint8Array.from(b));

const BOUNDED = /exceeds maximum|needs at least|exceeds 2\^53|Cannot read/;

function rejects(
  fn: () => unknown,
  errorClass: new (message: string) => Error,
  pattern: RegExp,
  what: string,
) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof errorClass, `${what}: threw ${e}`);
    assert.match((e as Error).message, pattern, what);
    return true;
  });
}

Deno.test("wire lists claiming 2^64, 2^32 or 65535 items are refused before allocating", () => {
  const zeros = (n: number) => new Uint8Array(n);
  // Each message type with a list, and the bytes in front of its count.
  const cases: [string, number, Uint8Array][] = [
    ["addr", MessageId.addr, zeros(0)],
    ["inv", MessageId.inv, zeros(0)],
    ["getdata", MessageId.getdata, zeros(0)],
    ["notfound", MessageId.notfound, zeros(0)],
    ["getheaders locator", MessageId.getheaders, zeros(0)],
    ["headers", MessageId.headers, zeros(0)],
    ["version user agent", MessageId.version, zeros(4 + 4 + 8 + 4 + 32 + 4 + 8)],
    ["ckptchunk chunk", MessageId.ckptchunk, zeros(32 + 4)],
    ["ckptchunk proof", MessageId.ckptchunk, concat(zeros(32 + 4), Uint8Array.of(1, 0))],
  ];
  for (const [what, id, prefix] of cases) {
    for (const count of HUGE_COUNTS) {
      const bytes = concat(Uint8Array.of(id), prefix, count, zeros(40));
      rejects(() => decodeMessage(bytes, LIMITS), DecodeError, BOUNDED, what);
    }
  }
});

Deno.test("transactions and blocks claiming huge counts are refused before allocating", () => {
  for (const count of HUGE_COUNTS) {
    // version ‖ input count
    rejects(() => decodeTx(concat(new Uint8Array(4), count)), DecodeError, BOUNDED, "tx inputs");
    // header ‖ tx count
    const block = concat(encodeHeader(sampleHeader(1)), count, new Uint8Array(100));
    rejects(() => decodeBlock(block, LIMITS), DecodeError, BOUNDED, "block txs");
    // a policy's key or branch list (any tag byte followed by a huge count)
    for (let tag = 0; tag < 16; tag++) {
      assert.throws(() => decodePolicy(concat(Uint8Array.of(tag), count)), DecodeError);
    }
  }
  // The block's own size cap comes before any parsing.
  const oversized = new Uint8Array(LIMITS.maxBlockBytes + 1);
  rejects(() => decodeBlock(oversized, LIMITS), DecodeError, /exceeds/, "block size");
});

Deno.test(".rnet header claiming the largest model in 20 bytes is refused before allocating", () => {
  const header = new Uint8Array(RNET_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(RNET_MAGIC);
  view.setUint32(4, 1, true);
  view.setUint32(8, 4096, true); // dModel: a 48 GB checkpoint
  view.setUint32(12, 48, true);
  view.setUint32(16, 3 + 48 * 40, true);
  assert.throws(() => decodeCheckpoint(header), (e: unknown) => e instanceof DecodeError);
  view.setUint32(8, 0xffff_fffe, true); // out of bounds altogether
  rejects(() => decodeCheckpoint(header), DecodeError, /out of bounds/, "rnet config");
});

Deno.test("wallet files over 16 MiB or with KDF costs over the limits are refused before the KDF", () => {
  const tooLarge = new Uint8Array(MAX_WALLET_FILE_BYTES + 1);
  assert.throws(
    () => readWalletFileHeader(tooLarge),
    (e: unknown) => e instanceof WalletFileError && e.reason === "too-large",
  );
  const file = new Uint8Array(WALLET_HEADER_BYTES + 16 + 16 + 32);
  file.set(new TextEncoder().encode("RNTWALLET"));
  const view = new DataView(file.buffer);
  view.setUint16(9, 1, true);
  file[11] = 1; // Argon2id
  for (const [m, t, p] of [[0xffff_ffff, 1, 1], [64, 0xffff_ffff, 1], [64, 1, 0xffff_ffff]]) {
    view.setUint32(12, m!, true);
    view.setUint32(16, t!, true);
    view.setUint32(20, p!, true);
    assert.throws(
      () => readWalletFileHeader(file),
      (e: unknown) => e instanceof WalletFileError && e.reason === "bad-kdf-params",
      `m=${m} t=${t} p=${p}`,
    );
  }
});

Deno.test("a transport frame announcing more than the frame cap is refused before reading it", async () => {
  const target = transportFrameTarget();
  // The first 3 bytes of a frame of 64 KiB + 1: its encrypted length field, nothing after.
  const keys = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] as const;
  const frame = new PacketEncryptor(...keys).encrypt(new Uint8Array((1 << 16) + 1));
  await assert.rejects(
    async () => await target.decode(frame.subarray(0, 3)),
    (e: unknown) =>
      e instanceof ProtocolError && /exceeds the maximum of 65536/.test((e as Error).message),
  );
});

Deno.test("text decoders refuse deep nesting and long text without recursing", () => {
  rejects(() => parseJsonBounded("[".repeat(1_000_000)), SyntaxError, /nesting/, "JSON depth");
  rejects(() => parsePolicy("x".repeat(9000)), DecodeError, /longer than/, "policy text");
  // As deep as fits in the text cap: a named error, not a stack overflow (RangeError).
  const deep = "or(".repeat(2000) + ")".repeat(2000);
  assert.ok(deep.length <= 8192);
  assert.throws(() => parsePolicy(deep), DecodeError);
});
