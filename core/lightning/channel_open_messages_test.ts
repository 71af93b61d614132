import assert from "node:assert/strict";
import { checkRandomInputs, checkTruncations, expectDecodeError } from "../encoding/_testing.ts";
import { RecoveryKind } from "../primitives/address.ts";
import {
  decodeOpenMessage,
  encodeOpenMessage,
  isOpenMessageId,
  MAX_CHANNEL_ERROR_BYTES,
  type OpenMessage,
  OpenMessageId,
} from "./channel_open_messages.ts";
import { ChannelMessageId } from "./channel_messages.ts";
import { pointOfScalar } from "./commitment_keys.ts";

const id32 = new Uint8Array(32).fill(0xc4);
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const pt = (n: bigint) => pointOfScalar(n);
const party = {
  params: {
    fundingKey: bytes(32, 1),
    revocationBasepoint: pt(11n),
    paymentBasepoint: pt(12n),
    delayedPaymentBasepoint: pt(13n),
    htlcBasepoint: pt(14n),
    toSelfDelaySecs: 600,
    dustLimitResonances: 546n,
  },
  limits: {
    reserveMres: 10_000_000n,
    maxAcceptedHtlcs: 483,
    maxHtlcValueInFlightMres: 2n ** 64n - 1n,
    htlcMinimumMres: 1n,
  },
  firstPoint: pt(21n),
  secondPoint: pt(22n),
};

const SAMPLES: OpenMessage[] = [
  {
    type: "open_channel",
    temporaryChannelId: id32,
    fundingResonances: 100_000_000n,
    pushMres: 5n,
    feeratePerByte: 1,
    ...party,
  },
  { type: "accept_channel", temporaryChannelId: id32, minimumDepth: 3, ...party },
  {
    type: "funding_created",
    temporaryChannelId: id32,
    fundingTxid: bytes(32, 9),
    fundingVout: 1,
    signature: bytes(64, 5),
  },
  { type: "funding_signed", channelId: id32, signature: bytes(64, 6) },
  { type: "channel_ready", channelId: id32 },
  {
    type: "shutdown",
    channelId: id32,
    address: { kind: RecoveryKind.heartbeat, hash: bytes(32, 7) },
  },
  { type: "closing_signed", channelId: id32, feeResonances: 392n, signature: bytes(64, 8) },
  { type: "channel_error", channelId: bytes(32, 0), text: "funding too small: 1 resonance" },
];

Deno.test("encodeOpenMessage() and decodeOpenMessage() round-trip every message", () => {
  for (const message of SAMPLES) {
    const { id, payload } = encodeOpenMessage(message);
    assert.equal(id, OpenMessageId[message.type]);
    const decoded = decodeOpenMessage(id, payload);
    assert.deepEqual(decoded, message);
    assert.deepEqual(encodeOpenMessage(decoded).payload, payload);
  }
});

Deno.test("open message ids lie in the ln_* range and clash with no update message", () => {
  const update = new Set<number>(Object.values(ChannelMessageId));
  for (const id of Object.values(OpenMessageId)) {
    assert.ok(id >= 0x89 && id <= 0xaf, `0x${id.toString(16)}`);
    assert.ok(!update.has(id));
    assert.ok(isOpenMessageId(id));
  }
  assert.ok(!isOpenMessageId(0x88) && !isOpenMessageId(0x98) && !isOpenMessageId(0xb0));
});

Deno.test("open_channel has its fields at fixed offsets (314 bytes)", () => {
  const { payload } = encodeOpenMessage(SAMPLES[0]!);
  assert.equal(payload.length, 314);
  const v = new DataView(payload.buffer, payload.byteOffset);
  assert.equal(v.getBigUint64(32, true), 100_000_000n);
  assert.equal(v.getUint32(48, true), 1);
  assert.equal(v.getUint32(212, true), 600);
  assert.equal(v.getUint16(232, true), 483);
  assert.deepEqual(payload.slice(250, 282), pt(21n));
  assert.deepEqual(payload.slice(282, 314), pt(22n));
});

Deno.test("decodeOpenMessage() rejects every truncation and a trailing byte", () => {
  for (const message of SAMPLES) {
    const { id, payload } = encodeOpenMessage(message);
    checkTruncations((b) => decodeOpenMessage(id, b), payload);
  }
});

Deno.test("decodeOpenMessage() rejects unknown ids, fee rate 0, bad HTLC caps, bad points, bad addresses and bad text", () => {
  expectDecodeError(() => decodeOpenMessage(0x98, new Uint8Array(40)), "id 0x98");
  expectDecodeError(() => decodeOpenMessage(0x88, new Uint8Array(40)), "id 0x88");
  const open = encodeOpenMessage(SAMPLES[0]!).payload;
  const set = (at: number, values: number[]) => {
    const b = open.slice();
    b.set(values, at);
    return b;
  };
  expectDecodeError(() => decodeOpenMessage(0x90, set(48, [0, 0, 0, 0])), "fee rate 0");
  expectDecodeError(() => decodeOpenMessage(0x90, set(232, [0, 0])), "max accepted 0");
  expectDecodeError(() => decodeOpenMessage(0x90, set(232, [0xe4, 0x01])), "max accepted 484");
  expectDecodeError(() => decodeOpenMessage(0x90, set(84, [...bytes(32, 0xff)])), "bad basepoint");
  expectDecodeError(() => decodeOpenMessage(0x90, set(250, [...bytes(32, 0)])), "identity point");
  expectDecodeError(() => decodeOpenMessage(0x90, set(282, [...bytes(32, 0xff)])), "bad point");
  const shutdown = encodeOpenMessage(SAMPLES[5]!).payload.slice();
  shutdown[32] = 1;
  expectDecodeError(() => decodeOpenMessage(0x95, shutdown), "address version 1");
  const error = encodeOpenMessage(SAMPLES[7]!).payload.slice();
  error[33] = 0xff;
  expectDecodeError(() => decodeOpenMessage(0x97, error), "text not UTF-8");
  const long = new Uint8Array(32 + 3 + MAX_CHANNEL_ERROR_BYTES + 1);
  long.set([0xfd, 0x01, 0x04], 32);
  expectDecodeError(() => decodeOpenMessage(0x97, long), "text of 1025 bytes");
});

Deno.test("decodeOpenMessage() only ever throws DecodeError on random input", () => {
  let seed = 1;
  for (const message of SAMPLES) {
    const { id, payload } = encodeOpenMessage(message);
    checkRandomInputs((b) => decodeOpenMessage(id, b), payload, 300, seed++);
  }
});

Deno.test("encodeOpenMessage() refuses fields of the wrong size or range", () => {
  assert.throws(
    () => encodeOpenMessage({ ...SAMPLES[3]!, signature: bytes(63, 0) } as OpenMessage),
    RangeError,
  );
  assert.throws(
    () => encodeOpenMessage({ ...SAMPLES[0]!, feeratePerByte: 0 } as OpenMessage),
    RangeError,
  );
  assert.throws(
    () =>
      encodeOpenMessage({
        ...SAMPLES[1]!,
        limits: { ...party.limits, maxAcceptedHtlcs: 484 },
      } as OpenMessage),
    RangeError,
  );
  assert.throws(
    () => encodeOpenMessage({ ...SAMPLES[7]!, text: "x".repeat(1025) } as OpenMessage),
    RangeError,
  );
});
