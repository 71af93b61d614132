/**
 * How fast is batch Ed25519 verification (WebCrypto, concurrent, strict pre-checks) against
 * strict noble verification one by one? Each iteration verifies the same 64 valid signatures;
 * verifies/s = 64 / (avg time per iteration).
 *
 * Run: deno bench bench/sig_bench.ts
 */
import {
  keyPairFromSeed,
  sign,
  verify,
  verifyBatch,
  type VerifyItem,
} from "../core/crypto/ed25519.ts";

const COUNT = 64;
const items: VerifyItem[] = [];
for (let i = 0; i < COUNT; i++) {
  const seed = new Uint8Array(32).fill(i + 1);
  const kp = keyPairFromSeed(seed);
  const message = new Uint8Array(32).fill(255 - i);
  items.push({ publicKey: kp.publicKey, message, signature: sign(kp.secretKey, message) });
}

Deno.bench({
  name: `noble strict verify ×${COUNT} (sequential)`,
  group: "ed25519-verify",
  baseline: true,
  fn() {
    for (const it of items) {
      if (!verify(it.signature, it.message, it.publicKey)) throw new Error("bad signature");
    }
  },
});

Deno.bench({
  name: `verifyBatch ×${COUNT} (WebCrypto, concurrent)`,
  group: "ed25519-verify",
  async fn() {
    const out = await verifyBatch(items);
    if (!out.every(Boolean)) throw new Error("bad signature");
  },
});
