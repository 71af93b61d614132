import assert from "node:assert/strict";
import { MAINNET, REGTEST } from "../../core/consensus/params.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { pointOfScalar } from "../../core/lightning/commitment_keys.ts";
import {
  freshChannelSecrets,
  limitsFor,
  MAX_TO_SELF_DELAY_SECS,
  minimumDepthFor,
  partyParamsOf,
  refusePeerTerms,
  toSelfDelayFor,
} from "./channel_setup.ts";

Deno.test("freshChannelSecrets() gives different secrets each time, and partyParamsOf() their public keys", () => {
  const a = freshChannelSecrets(), b = freshChannelSecrets();
  assert.notDeepEqual(a.secrets.fundingSeed, b.secrets.fundingSeed);
  assert.notEqual(a.secrets.revocation, b.secrets.revocation);
  assert.notDeepEqual(a.seed, b.seed);
  const p = partyParamsOf(a.secrets, 77);
  assert.deepEqual(p.fundingKey, keyPairFromSeed(a.secrets.fundingSeed).publicKey);
  assert.deepEqual(p.delayedPaymentBasepoint, pointOfScalar(a.secrets.delayed));
  assert.equal(p.toSelfDelaySecs, 77);
});

Deno.test("regtest uses a 5 s delay and 1 confirmation; other networks a day and 3", () => {
  assert.equal(toSelfDelayFor(REGTEST), 5);
  assert.equal(minimumDepthFor(REGTEST), 1);
  assert.equal(toSelfDelayFor(MAINNET), 86_400);
  assert.equal(minimumDepthFor(MAINNET), 3);
});

Deno.test("refusePeerTerms() refuses a long delay, a big dust limit or reserve, and accepts ours", () => {
  const funding = 10n ** 8n;
  const params = partyParamsOf(freshChannelSecrets().secrets, 5);
  const limits = limitsFor(funding);
  assert.equal(refusePeerTerms(funding, params, limits), undefined);
  assert.match(
    refusePeerTerms(funding, { ...params, toSelfDelaySecs: MAX_TO_SELF_DELAY_SECS + 1 }, limits)!,
    /to_self_delay/,
  );
  assert.match(
    refusePeerTerms(funding, { ...params, toSelfDelaySecs: 0 }, limits)!,
    /to_self_delay/,
  );
  assert.match(
    refusePeerTerms(funding, { ...params, dustLimitResonances: funding / 50n }, limits)!,
    /dust limit/,
  );
  assert.match(
    refusePeerTerms(funding, params, { ...limits, reserveMres: funding * 1000n / 4n })!,
    /reserve/,
  );
});
