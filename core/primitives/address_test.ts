import assert from "node:assert/strict";
import { bech32, bech32m } from "@scure/base";
import { DecodeError } from "../errors.ts";
import { MAINNET, REGTEST, TESTNET } from "../consensus/params.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import {
  addressOfPolicy,
  decodeAddress,
  encodeAddress,
  encodeAddressPayload,
  readAddressData,
  RecoveryKind,
} from "./address.ts";
import { policyHash } from "./policy_codec.ts";
import { heartbeatPolicy } from "./recovery_policies.ts";
import { testKey } from "./_fixtures.ts";

const policy = heartbeatPolicy(testKey(0).publicKey, testKey(1).publicKey, 86400);
const data = { kind: RecoveryKind.heartbeat, hash: policyHash(policy) };

Deno.test("encodeAddress() uses each network's HRP and decodeAddress() inverts it", () => {
  for (const net of [MAINNET, TESTNET, REGTEST]) {
    const s = encodeAddress(net, data);
    assert.ok(s.startsWith(`${net.hrp}1`), s);
    assert.deepEqual(decodeAddress(net, s), data);
    assert.equal(decodeAddress(net, s.toUpperCase()).kind, RecoveryKind.heartbeat);
  }
  assert.equal(
    addressOfPolicy(MAINNET, RecoveryKind.heartbeat, policy),
    encodeAddress(MAINNET, data),
  );
});

Deno.test("encodeAddress() payload is version 0 ‖ kind ‖ keccak256d(policy)", () => {
  const { words } = bech32m.decode(encodeAddress(REGTEST, data) as `${string}1${string}`);
  assert.deepEqual(bech32m.fromWords(words), new Uint8Array([0, 1, ...data.hash]));
});

Deno.test("decodeAddress() rejects another network's address", () => {
  const s = encodeAddress(TESTNET, data);
  assert.throws(() => decodeAddress(MAINNET, s), /expected 'rnt'/);
});

Deno.test("decodeAddress() rejects a bad checksum, Bech32 (not m), version, kind and length", () => {
  const good = encodeAddress(MAINNET, data);
  const flipped = good.slice(0, -1) + (good.endsWith("q") ? "p" : "q");
  const payload = encodeAddressPayload(data);
  const make = (bytes: Uint8Array) => bech32m.encode("rnt", bech32m.toWords(bytes));
  const cases = [
    flipped,
    bech32.encode("rnt", bech32.toWords(payload)),
    make(new Uint8Array([1, ...payload.subarray(1)])),
    make(new Uint8Array([0, 0, ...data.hash])),
    make(new Uint8Array([0, 5, ...data.hash])),
    make(payload.subarray(0, 33)),
    make(new Uint8Array([...payload, 0])),
    "",
    "rnt1",
    good.slice(0, 10) + good.slice(10).toUpperCase(),
  ];
  for (const c of cases) assert.throws(() => decodeAddress(MAINNET, c), DecodeError, c);
});

Deno.test("encodeAddress() refuses an unknown recovery kind", () => {
  assert.throws(() => encodeAddress(MAINNET, { kind: 0, hash: data.hash }), RangeError);
  assert.throws(() => encodeAddress(MAINNET, { kind: 5, hash: data.hash }), RangeError);
});

Deno.test("readAddressData() accepts any kind byte but only version 0", () => {
  const r = new ByteReader(new Uint8Array([0, 9, ...data.hash]));
  assert.equal(readAddressData(r).kind, 9);
  assert.throws(
    () => readAddressData(new ByteReader(new Uint8Array([1, 1, ...data.hash]))),
    DecodeError,
  );
});
