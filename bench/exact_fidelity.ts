/**
 * Fidelity of the exact consensus loss (PROTOCOL.md §3.10) against the f32 loss (§3.3): relative
 * difference on genesis checkpoints and on the 30 trained regtest fixture checkpoints, the
 * Spearman rank correlation over the fixture, and every pair of successive checkpoints whose
 * order the two losses disagree on. Run:
 * `deno run -A bench/exact_fidelity.ts [mainnetBytes=4096]`.
 *
 * @module
 */
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { readChainFixture } from "../tests/chain_fixture.ts";
import { evaluateLossCpu } from "../gpu/ref/model.ts";
import { exactLossNats, totalOf, WasmExactEvaluator } from "../gpu/exact/mod.ts";

const ev = new WasmExactEvaluator();

async function data(net: string, n: number): Promise<Uint8Array> {
  const all = await Deno.readFile(new URL(`../core/data/validation-${net}.txt`, import.meta.url));
  return all.subarray(0, n);
}

async function both(ckpt: Checkpoint, bytes: Uint8Array, w: number) {
  const f32 = evaluateLossCpu(ckpt, bytes, w);
  const sums = await ev.evaluateWindows(ckpt, bytes, w);
  const exact = exactLossNats(totalOf(sums), sums.length * (w - 1));
  return { f32, exact, rel: (exact - f32) / f32 };
}

function ranks(v: number[]): number[] {
  const idx = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  idx.forEach(([, i], k) => (r[i] = k + 1));
  return r;
}

/** Spearman's ρ (no ties expected among distinct trained losses). */
export function spearman(a: number[], b: number[]): number {
  const ra = ranks(a), rb = ranks(b), n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (ra[i]! - rb[i]!) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

const mainnetBytes = Number(Deno.args[0] ?? 4096);
console.log("genesis (relative exact − f32):");
for (
  const [net, d, L, w, n] of [
    ["regtest", 16, 1, 64, 4096],
    ["testnet", 128, 2, 256, 8192],
    ["mainnet", 384, 6, 512, mainnetBytes],
  ] as const
) {
  const r = await both(genesisCheckpoint({ dModel: d, nLayers: L }, 1), await data(net, n), w);
  console.log(
    `  ${net} (${d},${L}) ${n} B: f32 ${r.f32.toFixed(6)} exact ${r.exact.toFixed(6)} rel ${
      r.rel.toExponential(2)
    }`,
  );
}
const blocks = await readChainFixture();
const bytes = await data("regtest", 4096);
const f32s: number[] = [], exacts: number[] = [];
let worst = 0;
console.log("fixture (regtest set, 4 KiB, W = 64):");
for (const [i, b] of blocks.entries()) {
  const ckpt = decodeCheckpoint(b.checkpoint);
  const r = await both(ckpt, bytes, 64);
  f32s.push(r.f32);
  exacts.push(r.exact);
  worst = Math.max(worst, Math.abs(r.rel));
  console.log(
    `  ${i + 1} (${ckpt.config.dModel},${ckpt.config.nLayers}) f32 ${r.f32.toFixed(6)} exact ${
      r.exact.toFixed(6)
    } rel ${r.rel.toExponential(2)}`,
  );
}
console.log(`worst |rel| over the fixture: ${worst.toExponential(2)}`);
console.log(`Spearman rho over 30 checkpoints: ${spearman(f32s, exacts).toFixed(6)}`);
for (let i = 1; i < f32s.length; i++) {
  if (Math.sign(f32s[i]! - f32s[i - 1]!) !== Math.sign(exacts[i]! - exacts[i - 1]!)) {
    console.log(`  order disagreement: blocks ${i} → ${i + 1}`);
  }
}
for (let i = 0; i < f32s.length; i++) {
  for (let j = i + 1; j < f32s.length; j++) {
    if (Math.sign(f32s[j]! - f32s[i]!) !== Math.sign(exacts[j]! - exacts[i]!)) {
      console.log(`  pair disagreement: blocks ${i + 1} and ${j + 1}`);
    }
  }
}
