import assert from "node:assert/strict";
import { initialCommitmentSpecs } from "./channel_state.ts";
import { openChannel, pointOf, TEST_FUNDING_OUTPOINT, TEST_MAGIC } from "./_channel_test_kit.ts";
import { commitmentTxOf, fundingSigner } from "./funding_signer.ts";
import { signFundingSpend, withFundingWitness } from "./commitment_tx.ts";
import { verify } from "../crypto/ed25519.ts";
import { sighash } from "../primitives/tx_hash.ts";

const ALICE_FUNDING = new Uint8Array(32).fill(0xa1);
const BOB_FUNDING = new Uint8Array(32).fill(0xb1);

Deno.test("fundingSigner() signs the peer's real commitment 0 so the peer's signer accepts it", () => {
  const { alice, bob } = openChannel({ realTransactions: true });
  const a = alice.state.config, b = bob.state.config;
  const aliceSigner = fundingSigner(a, {
    magic: TEST_MAGIC,
    fundingOutpoint: TEST_FUNDING_OUTPOINT,
    fundingSeed: ALICE_FUNDING,
  });
  const bobSigner = fundingSigner(b, {
    magic: TEST_MAGIC,
    fundingOutpoint: TEST_FUNDING_OUTPOINT,
    fundingSeed: BOB_FUNDING,
  });
  const specs = initialCommitmentSpecs(a, 1, 2n * 10n ** 10n);
  const bobSpecs = initialCommitmentSpecs(b, 1, 2n * 10n ** 10n);
  const sig = aliceSigner.signRemoteCommitment(specs.remote, pointOf(bob.seed, 0));
  assert.ok(bobSigner.verifyLocalCommitment(bobSpecs.local, pointOf(bob.seed, 0), sig));
  // The signature is over the transaction: another point (other keys) or outpoint fails.
  assert.ok(!bobSigner.verifyLocalCommitment(bobSpecs.local, pointOf(bob.seed, 1), sig));
  const elsewhere = fundingSigner(b, {
    magic: TEST_MAGIC,
    fundingOutpoint: { ...TEST_FUNDING_OUTPOINT, vout: 2 },
    fundingSeed: BOB_FUNDING,
  });
  assert.ok(!elsewhere.verifyLocalCommitment(bobSpecs.local, pointOf(bob.seed, 0), sig));
  // The same bytes verify under the chain's sighash of the built transaction.
  const built = commitmentTxOf(
    b,
    TEST_MAGIC,
    TEST_FUNDING_OUTPOINT,
    bobSpecs.local,
    pointOf(bob.seed, 0),
  );
  assert.ok(
    verify(sig, sighash(TEST_MAGIC, built.tx, 0, [built.fundingOutput]), a.localParams.fundingKey),
  );
  const own = signFundingSpend(
    TEST_MAGIC,
    built.tx,
    built.fundingOutput,
    BOB_FUNDING,
    b.localParams.fundingKey,
  );
  const signed = withFundingWitness(built.tx, built.fundingPolicy, [own, {
    publicKey: a.localParams.fundingKey,
    signature: sig,
  }]);
  assert.equal(signed.witnesses.length, 1);
});

Deno.test("fundingSigner() refuses, not throws, a signature on a spec that does not build", () => {
  const { bob } = openChannel({ realTransactions: true });
  const b = bob.state.config;
  const signer = fundingSigner(b, {
    magic: TEST_MAGIC,
    fundingOutpoint: TEST_FUNDING_OUTPOINT,
    fundingSeed: BOB_FUNDING,
  });
  const spec = { ...initialCommitmentSpecs(b, 1, 0n).local, toOwnerMres: 1n };
  assert.equal(signer.verifyLocalCommitment(spec, pointOf(bob.seed, 0), new Uint8Array(64)), false);
  assert.throws(() => signer.signRemoteCommitment(spec, pointOf(bob.seed, 0)), RangeError);
});
