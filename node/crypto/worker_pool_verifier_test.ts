import assert from "node:assert/strict";
import { keyPairFromSeed, sign, verify, type VerifyItem } from "../../core/crypto/ed25519.ts";
import { WorkerPoolVerifier } from "./worker_pool_verifier.ts";

/** `n` signed items; every 7th has a flipped signature bit, every 11th a wrong message. */
function items(n: number): VerifyItem[] {
  return Array.from({ length: n }, (_, i) => {
    const kp = keyPairFromSeed(new Uint8Array(32).fill((i % 250) + 1));
    const message = new Uint8Array([i & 0xff, i >> 8, 3]);
    const signature = sign(kp.secretKey, message);
    if (i % 7 === 3) signature[5]! ^= 1;
    return {
      publicKey: kp.publicKey,
      message: i % 11 === 5 ? message.slice(1) : message,
      signature,
    };
  });
}

Deno.test("WorkerPoolVerifier answers exactly as strict verify, above and below its threshold", async () => {
  using pool = new WorkerPoolVerifier({ workers: 3, threshold: 50 });
  for (const n of [0, 1, 49, 50, 301]) {
    const batch = items(n);
    const want = batch.map((it) => verify(it.signature, it.message, it.publicKey));
    assert.deepEqual(await pool.verify(batch), want, `${n} items`);
    if (n > 20) assert.ok(want.includes(false) && want.includes(true));
  }
});

Deno.test("WorkerPoolVerifier refuses work once closed", async () => {
  const pool = new WorkerPoolVerifier({ workers: 1, threshold: 1 });
  pool.close();
  await assert.rejects(() => pool.verify(items(2)), /closed/);
});
