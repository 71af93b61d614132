import assert from "node:assert/strict";
import { checkRandomInputs, expectDecodeError } from "../encoding/_testing.ts";
import {
  act,
  commit,
  deliver,
  onionOf,
  openChannel,
  preimageOf,
  settle,
} from "./_channel_test_kit.ts";
import { addHtlc, failHtlc, failMalformedHtlc, updateFee } from "./channel_state.ts";
import type { ChannelState } from "./channel_types.ts";
import {
  CHANNEL_STATE_VERSION,
  decodeChannelState,
  encodeChannelState,
} from "./channel_state_codec.ts";

/** A state with something in every part: base HTLCs, logged updates of each kind, an unrevoked commitment. */
function busyState(): ChannelState {
  const { alice, bob } = openChannel();
  const request = (n: number) => ({
    amountMres: 5_000_000n + BigInt(n),
    paymentHash: preimageOf(n).paymentHash,
    expirySecs: 1_800_000_000 + n,
    onion: onionOf(n),
  });
  act(alice, bob, (s) => addHtlc(s, request(1)));
  act(bob, alice, (s) => addHtlc(s, request(2)));
  settle(alice, bob);
  act(bob, alice, (s) => failHtlc(s, 0n, new Uint8Array([9, 9])));
  act(alice, bob, (s) => failMalformedHtlc(s, 0n, new Uint8Array(32).fill(4), 0xc005));
  act(alice, bob, (s) => updateFee(s, 2));
  act(alice, bob, (s) => addHtlc(s, request(3)));
  deliver(alice, bob);
  commit(alice, bob);
  return alice.state;
}

Deno.test("decodeChannelState() gives back the state, and encoding it again the same bytes", () => {
  const state = busyState();
  assert.ok(state.log.some((e) => e.update.kind === "fail-malformed"));
  assert.ok(state.log.length >= 3 && state.base.htlcs.length === 2 && state.remotePrevCommit);
  const bytes = encodeChannelState(state);
  assert.equal(bytes[0], CHANNEL_STATE_VERSION);
  const decoded = decodeChannelState(bytes);
  assert.deepEqual(decoded, state);
  assert.deepEqual(encodeChannelState(decoded), bytes);
});

Deno.test("decodeChannelState() rejects truncations and a trailing byte", () => {
  const bytes = encodeChannelState(busyState());
  for (let i = 0; i < bytes.length; i += i < 700 ? 1 : 97) {
    expectDecodeError(() => decodeChannelState(bytes.subarray(0, i)), `prefix of ${i} bytes`);
  }
  expectDecodeError(() => decodeChannelState(bytes.subarray(0, bytes.length - 1)), "last byte cut");
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  expectDecodeError(() => decodeChannelState(longer), "one trailing byte");
});

Deno.test("decodeChannelState() rejects another version, a capacity that does not add up and bad flags", () => {
  const state = busyState();
  const bytes = encodeChannelState(state);
  const v2 = bytes.slice();
  v2[0] = 2;
  expectDecodeError(() => decodeChannelState(v2), "version 2");
  const bigger = encodeChannelState({
    ...state,
    config: { ...state.config, capacityMres: state.config.capacityMres + 1n },
  });
  expectDecodeError(() => decodeChannelState(bigger), "capacity + 1");
  const funder = bytes.slice();
  funder[33] = 2; // funder side after version and channel id
  expectDecodeError(() => decodeChannelState(funder), "side 2");
  const richer = encodeChannelState({
    ...state,
    base: { ...state.base, localBalanceMres: state.base.localBalanceMres + 1n },
  });
  expectDecodeError(() => decodeChannelState(richer), "base balance + 1");
  const noNextPoint = encodeChannelState({ ...state, remotePrevCommit: null });
  expectDecodeError(() => decodeChannelState(noNextPoint), "neither previous commitment nor point");
});

Deno.test("decodeChannelState() only ever throws DecodeError on random input", () => {
  const { alice } = openChannel();
  checkRandomInputs(decodeChannelState, encodeChannelState(alice.state), 300, 11);
});
