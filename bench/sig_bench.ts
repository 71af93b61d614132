/**
 * How fast is batch Ed25519 verification (WebCrypto, concurrent, strict pre-checks) against
 * strict noble verification one by one? Each iteration verifies the same 64 valid signatures;
 * verifies/s = 64 / (avg time per iteration).
 *
 * A second group verifies a block's worth (2048) in-thread against the worker pool verifier.
 *
 * Run: deno bench --allow-read bench/sig_bench.ts
 */
import {
  keyPairFromSeed,
  sign,
  verify,
  verifyBatch,
  type VerifyItem,
} from "../core/crypto/ed25519.ts";
import { WorkerPoolVerifier } from "../node/crypto/worker_pool_verifier.ts";

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

// A block's worth of signatures: in-thread verifyBatch (the baseline) against the worker pool
// (node/crypto/worker_pool_verifier.ts), which splits the batch over its workers.
const BLOCK = 2048;
const blockItems: VerifyItem[] = Array.from({ length: BLOCK }, (_, i) => items[i % COUNT]!);
const pool = new WorkerPoolVerifier({ workers: 2, threshold: 1 });
await pool.verify(blockItems); // start the workers (module load) outside the measurement

Deno.bench({
  name: `verifyBatch ×${BLOCK} in-thread`,
  group: "ed25519-block",
  baseline: true,
  n: 5,
  warmup: 1,
  async fn() {
    const out = await verifyBatch(blockItems);
    if (!out.every(Boolean)) throw new Error("bad signature");
  },
});

Deno.bench({
  name: `WorkerPoolVerifier ×${BLOCK} (2 workers)`,
  group: "ed25519-block",
  n: 5,
  warmup: 1,
  async fn() {
    const out = await pool.verify(blockItems);
    if (!out.every(Boolean)) throw new Error("bad signature");
  },
});
