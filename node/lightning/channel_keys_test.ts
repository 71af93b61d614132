import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { pointOfScalar } from "../../core/lightning/commitment_keys.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { ChannelKeyRing } from "./channel_keys.ts";

const words = "abandon ".repeat(23) + "art";

Deno.test("ChannelKeyRing derives the same keys from the same words and distinct keys per index and purpose", () => {
  const a = new ChannelKeyRing(Wallet.fromMnemonic(REGTEST, words).lightningRootSecret());
  const b = new ChannelKeyRing(Wallet.fromMnemonic(REGTEST, words).lightningRootSecret());
  assert.deepEqual(a.channelSecrets(3), b.channelSecrets(3));
  assert.deepEqual(a.storeKey(), b.storeKey());
  const seen = new Set<string>();
  const add = (x: unknown) => seen.add(String(x));
  for (const i of [0, 1, 0xffff_ffff]) {
    const s = a.channelSecrets(i);
    [s.revocationSecret, s.paymentSecret, s.delayedSecret, s.htlcSecret, s.fundingSeed].forEach(
      add,
    );
  }
  add(a.storeKey());
  add(a.backupKey());
  assert.equal(seen.size, 3 * 5 + 2);
  const other = new ChannelKeyRing(
    Wallet.fromMnemonic(REGTEST, words, "other").lightningRootSecret(),
  );
  assert.notDeepEqual(other.storeKey(), a.storeKey());
});

Deno.test("ChannelKeyRing.channelParams() holds the points of channelSecrets()", () => {
  const ring = new ChannelKeyRing(new Uint8Array(32).fill(4));
  const s = ring.channelSecrets(7);
  const p = ring.channelParams(7, 144, 500n);
  assert.deepEqual(p.paymentBasepoint, pointOfScalar(s.paymentSecret));
  assert.deepEqual(p.revocationBasepoint, pointOfScalar(s.revocationSecret));
  assert.deepEqual(p.fundingKey, s.fundingKey);
  assert.equal(p.toSelfDelaySecs, 144);
  assert.throws(() => ring.channelSecrets(-1), RangeError);
  assert.throws(() => new ChannelKeyRing(new Uint8Array(31)), RangeError);
});
