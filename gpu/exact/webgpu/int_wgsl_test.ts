/**
 * The WGSL integer primitives equal their TypeScript twins (`../primitives.ts`) value by value:
 * exp over its whole domain, sigmoid over ±70000 and the saturation edges, log2 of 64-bit sums
 * at powers of two, their neighbours and random values, 32×32 → 64-bit rounding products, and
 * the requantisation shift at every exponent from −40 to 40.
 */
import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readStorage } from "../../device.ts";
import { gpuTest, seededRandom } from "../../testing.ts";
import {
  EXP2_TABLE,
  EXP_ARG_MAX,
  expNegQ30,
  H_MAX,
  log2Q24,
  Q_MAX,
  shiftClamp,
  sigmoidQ14,
} from "../primitives.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "../../kernels/elementwise.ts";
import { EXP_WGSL, INT_WGSL } from "./int_wgsl.ts";

const MODES = { exp: 0, sigmoid: 1, log2: 2, mulRshr: 3, shiftClamp: 4 } as const;

const PROBE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> outv: array<i32>;
@group(0) @binding(1) var<storage, read> a: array<i32>;
@group(0) @binding(2) var<storage, read> b: array<i32>;
@group(0) @binding(3) var<storage, read> c: array<i32>;
@group(0) @binding(4) var<uniform> exp2tab: array<vec4<u32>, 65>;
struct Params { n: u32, mode: u32 }
@group(0) @binding(5) var<uniform> p: Params;
${INT_WGSL}
${EXP_WGSL}
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  switch (p.mode) {
    case 0u: { outv[i] = i32(exp_neg(u32(a[i]))); }
    case 1u: { outv[i] = sigmoid_q14(a[i]); }
    case 2u: { outv[i] = log2_q24(vec2<u32>(u32(a[i]), u32(b[i]))); }
    case 3u: { outv[i] = mul_rshr(a[i], b[i], u32(c[i])); }
    default: { outv[i] = shift_clamp(a[i], b[i], c[i]); }
  }
}
`;

async function probe(
  gpu: GpuContext,
  mode: number,
  a: Int32Array,
  b = new Int32Array(a.length),
  c = new Int32Array(a.length),
): Promise<Int32Array> {
  const table = new Uint32Array(260);
  table.set(EXP2_TABLE);
  const tb = gpu.device.createBuffer({
    size: table.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  gpu.device.queue.writeBuffer(tb, 0, table);
  const out = createStorage(gpu, a.length * 4);
  const bufs = [createStorage(gpu, a), createStorage(gpu, b), createStorage(gpu, c)];
  const batch = new CommandBatch(gpu);
  batch.dispatch(PROBE_WGSL, [out, ...bufs, tb], grid1d(a.length), [a.length, mode]);
  batch.submit();
  const r = new Int32Array(await readStorage(gpu, out, a.length * 4));
  for (const x of [out, tb, ...bufs]) x.destroy();
  return r;
}

function assertEach(got: Int32Array, want: (i: number) => number, what: (i: number) => string) {
  for (let i = 0; i < got.length; i++) assert.equal(got[i], want(i), what(i));
}

gpuTest("WGSL exp_neg equals expNegQ30 on every argument 0..65535", async (gpu) => {
  const y = Int32Array.from({ length: EXP_ARG_MAX + 1 }, (_, i) => i);
  assertEach(await probe(gpu, MODES.exp, y), (i) => expNegQ30(i), (i) => `exp_neg(${i})`);
});

gpuTest("WGSL sigmoid_q14 equals sigmoidQ14 on ±70000 and at ±Q_MAX", async (gpu) => {
  const k = Int32Array.from({ length: 140001 }, (_, i) => i - 70000);
  const edges = Int32Array.of(Q_MAX, -Q_MAX, 65535, -65535, 65536, -65536, 2 ** 28, -(2 ** 28));
  for (const v of [k, edges]) {
    assertEach(await probe(gpu, MODES.sigmoid, v), (i) => sigmoidQ14(v[i]!), (i) => `σ(${v[i]})`);
  }
});

gpuTest("WGSL log2_q24 equals log2Q24 on 64-bit sums in [2^30, 2^38]", async (gpu) => {
  const s: number[] = [];
  for (let e = 30; e <= 38; e++) s.push(2 ** e - 1, 2 ** e, 2 ** e + 1);
  const rand = seededRandom(5);
  for (let i = 0; i < 20000; i++) s.push(Math.floor(2 ** 30 + rand() * (2 ** 38 - 2 ** 30)));
  const lo = Int32Array.from(s, (v) => v % 2 ** 32 | 0);
  const hi = Int32Array.from(s, (v) => Math.floor(v / 2 ** 32));
  assertEach(await probe(gpu, MODES.log2, lo, hi), (i) => log2Q24(s[i]!), (i) => `log2(${s[i]})`);
});

gpuTest("WGSL mul_rshr equals the exact rounding shift of the 64-bit product", async (gpu) => {
  const rand = seededRandom(7);
  const n = 20000, a = new Int32Array(n), b = new Int32Array(n), c = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const sh = 1 + Math.floor(rand() * 40);
    // |a·b| < 2^(30 + sh) keeps the result in i32; include exact ties and both signs.
    const ab = Math.min(30 + sh, 61);
    const bitsA = Math.min(31, Math.floor(rand() * ab));
    a[i] = Math.floor((rand() * 2 - 1) * 2 ** bitsA);
    b[i] = Math.floor((rand() * 2 - 1) * 2 ** Math.min(31, ab - bitsA));
    if (i % 10 === 0) {
      a[i] = 2 ** (sh - 1) * (i % 20 ? 1 : -1); // an exact tie (b = 1) or three halves (b = 3)
      b[i] = i % 3 ? 1 : 3;
    }
    c[i] = sh;
  }
  const got = await probe(gpu, MODES.mulRshr, a, b, c);
  assertEach(got, (i) => {
    const p = BigInt(a[i]!) * BigInt(b[i]!), sh = BigInt(c[i]!);
    return Number((p + (1n << (sh - 1n))) >> sh);
  }, (i) => `rshr(${a[i]}·${b[i]}, ${c[i]})`);
});

gpuTest("WGSL shift_clamp equals shiftClamp for exponents −40..40", async (gpu) => {
  const rand = seededRandom(9);
  const x: number[] = [], e: number[] = [], m: number[] = [];
  for (let sh = -40; sh <= 40; sh++) {
    for (const max of [H_MAX, Q_MAX]) {
      for (let j = 0; j < 40; j++) {
        const v = Math.floor((rand() * 2 - 1) * 2 ** Math.floor(rand() * 31));
        x.push(j === 0 ? 0 : j === 1 ? 2 ** 31 - 1 : j === 2 ? -(2 ** 31 - 1) : v);
        e.push(sh);
        m.push(max);
      }
    }
  }
  const got = await probe(
    gpu,
    MODES.shiftClamp,
    Int32Array.from(x),
    Int32Array.from(e),
    Int32Array.from(m),
  );
  assertEach(
    got,
    (i) => shiftClamp(x[i]!, e[i]!, m[i]!),
    (i) => `shift(${x[i]}, ${e[i]}, ${m[i]})`,
  );
});
