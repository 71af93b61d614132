/**
 * The WGSL kernels of the exact consensus forward pass (PROTOCOL.md §3.10.6–3.10.8): integer
 * only, each the twin of one step of `../forward.ts`. Kernels run one thread per row (RMSNorm,
 * activation quantisation, softmax, loss), per element, per (window, channel) or per output
 * tile. Every value and bound is the spec's; where the spec lets a
 * value reach 64 bits the kernel uses the `vec2<u32>` words of `int_wgsl.ts`.
 *
 * Matrix products come in two variants with identical results:
 * - plain: `vec4<i32>` dot products of the activation (|x| ≤ 1023) and weight (|q| ≤ 511),
 *   both stored as int16 pairs (low half = even k) and unpacked by shifts, read from storage
 *   buffers or (`texture`) from `rgba32uint` textures, one texel = 8 values of k: on llvmpipe a
 *   `textureLoad` is much cheaper than a storage load whose address differs per invocation
 *   (see `gpu/kernels/matmul_texture.ts`);
 * - packed: each operand split into signed 8-bit limbs, x = 128·xh + xl, q = 128·qh + ql with
 *   xl, ql ∈ [−64, 63], |xh| ≤ 8, |qh| ≤ 4, and the three limb products of a Karatsuba split
 *   summed by `dot4I8Packed` (four products per call):
 *   q·x = 2^14·qh·xh + 2^7·((qh + ql)(xh + xl) − qh·xh − ql·xl) + ql·xl. The three sums are
 *   combined in u32 arithmetic (mod 2^32); the exact sum lies in (−2^31, 2^31) (§3.10.3), so
 *   the wrapped word is that sum.
 *
 * @module
 */
import { SLOTS, VOCAB } from "../../../core/checkpoint/model_config.ts";
import { FLAT_INDEX_WGSL, WORKGROUP_SIZE } from "../../kernels/elementwise.ts";
import { CONV_TAPS } from "../quantize.ts";
import { EXP_WGSL, INT_WGSL } from "./int_wgsl.ts";

/**
 * Output tile (rows, columns) per thread of the product kernels: plain and packed. On
 * llvmpipe the storage loads bound the speed, so the plain kernel reads two int16 values per
 * word and reuses each load over a wide tile.
 */
export function gemmTile(packed: boolean): [number, number] {
  return packed ? [4, 4] : [8, 8];
}
/** Values of k per chunk of the product kernels' inner loop: 4 packed, 8 plain (int16 pairs). */
export function gemmChunk(packed: boolean): number {
  return packed ? 4 : 8;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const lines = (n: number, f: (i: number) => string) => range(n).map(f).join("\n");
const grid = (n: number, m: number, f: (i: number, j: number) => string) =>
  range(n).flatMap((i) => range(m).map((j) => f(i, j))).join("\n");

/** h[r, c] = E_q[token r, c]. */
export const EMBED_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> h: array<i32>;
@group(0) @binding(1) var<storage, read> embed: array<i32>;
@group(0) @binding(2) var<storage, read> tokens: array<u32>;
struct Params { n: u32, d: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  h[i] = embed[tokens[i / p.d] * p.d + i % p.d];
}
`;

/**
 * RMSNorm's per-row scale (§3.10.4) for a kernel with `h: array<i32>`: returns (sh, G), G = 0
 * for a zero row; x̂_i = {@link NORM_VALUE} `xhat`.
 */
const NORM_GAIN = /* wgsl */ `
fn hprime(v: i32, sh: i32) -> i32 {
  if (sh > 0) { return rshr32(v, u32(sh)); }
  return v << u32(-sh);
}
fn norm_gain(base: u32, d: u32, sqd: u32) -> vec2<i32> {
  var m = 0u;
  for (var i = 0u; i < d; i++) { m = max(m, u32(abs(h[base + i]))); }
  if (m == 0u) { return vec2<i32>(0, 0); }
  let sh = i32(bitlen32(m)) - 15;
  var x = eps_term(u32(30 + 2 * sh));
  for (var i = 0u; i < d; i++) {
    let v = hprime(h[base + i], sh);
    x = u64_add(x, vec2<u32>(u32(v * v), 0u)); // |h'| <= 2^15
  }
  var j = 0u;
  while (x.y < 4096u) { x = u64_shl(x, 2u); j++; } // least j with S*4^j >= 2^44
  let r = isqrt_44(x);
  return vec2<i32>(sh, i32(div64(u64_shl(vec2<u32>(sqd, 0u), j + 16u), vec2<u32>(r, 0u), 28u)));
}
fn xhat(at: u32, sg: vec2<i32>) -> i32 {
  if (sg.y == 0) { return 0; }
  return clamp_sym(mul_rshr(hprime(h[at], sg.x), sg.y, 24u), NORM_MAX);
}
`;

/** The conv input of one row per thread: n = clamp(rshr(x̂, 4), 2^14 − 1) [Q8], x̂ = RMSNorm(h). */
export const CONV_NORM_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> h: array<i32>;
@group(0) @binding(1) var<storage, read_write> outv: array<i32>;
struct Params { rows: u32, d: u32, sqd: u32 }
@group(0) @binding(2) var<uniform> p: Params;
${INT_WGSL}
${FLAT_INDEX_WGSL}
${NORM_GAIN}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flatIndex(gid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.d;
  let sg = norm_gain(base, p.d, p.sqd);
  for (var i = 0u; i < p.d; i++) { outv[base + i] = clamp_sym(rshr32(xhat(base + i, sg), 4u), 16383); }
}
`;

/**
 * Quantises one row per thread to `bits` (§3.10.3): x = clamp(rshr(v, sh), 2^(bits−1) − 1) or
 * v·2^(−sh), row shift sh into `xsh`. Writes `[rows, kPad]` int16 pairs (zero padding) or,
 * packed, three limb words (hi, lo, hi + lo; 4 signed bytes each) per 4 values. With
 * `fromNorm` the row is v = RMSNorm(h) (§3.10.4), computed in the same thread and never stored.
 */
export function quantizeWgsl(packed: boolean, fromNorm: boolean, texture = false): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> ${fromNorm ? "h" : "v"}: array<i32>;
@group(0) @binding(1) var ${
    texture ? "xt: texture_storage_2d<rgba32uint, write>" : "<storage, read_write> xq: array<u32>"
  };
@group(0) @binding(2) var<storage, read_write> xsh: array<i32>;
struct Params { rows: u32, k: u32, kPad: u32, bits: u32, sqd: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${INT_WGSL}
${FLAT_INDEX_WGSL}
${fromNorm ? NORM_GAIN : ""}
fn src(at: u32, sg: vec2<i32>) -> i32 {
  return ${fromNorm ? "xhat(at, sg)" : "v[at]"};
}
fn q1(i: u32, base: u32, sg: vec2<i32>, sh: i32, mx: i32) -> i32 {
  if (i >= p.k) { return 0; }
  let x = src(base + i, sg);
  if (sh > 0) { return clamp_sym(rshr32(x, u32(sh)), mx); }
  return x << u32(-sh);
}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = flatIndex(gid, nwg);
  if (row >= p.rows) { return; }
  let base = row * p.k;
  let sg = ${fromNorm ? "norm_gain(base, p.k, p.sqd)" : "vec2<i32>(0, 0)"};
  var m = 0u;
  for (var i = 0u; i < p.k; i++) { m = max(m, u32(abs(src(base + i, sg)))); }
  var sh = i32(bitlen32(m)) - i32(p.bits - 1u);
  if (m == 0u) { sh = 0; }
  let qmax = (1 << (p.bits - 1u)) - 1;
  xsh[row] = sh;
${
    packed
      ? `  let k4 = p.kPad / 4u;
  for (var c = 0u; c < k4; c++) {
    let x = vec4<i32>(q1(4u * c, base, sg, sh, qmax), q1(4u * c + 1u, base, sg, sh, qmax),
      q1(4u * c + 2u, base, sg, sh, qmax), q1(4u * c + 3u, base, sg, sh, qmax));
    let lo = ((x + vec4<i32>(64)) & vec4<i32>(127)) - vec4<i32>(64);
    let hi = (x - lo) >> vec4<u32>(7u);
    let o = (row * k4 + c) * 3u;
    xq[o] = pack4xI8(hi);
    xq[o + 1u] = pack4xI8(lo);
    xq[o + 2u] = pack4xI8(hi + lo);
  }`
      : texture
      ? `  for (var c = 0u; c < p.kPad / 8u; c++) {
    var t: vec4<u32>;
    for (var l = 0u; l < 4u; l++) {
      let i = 8u * c + 2u * l;
      t[l] = (u32(q1(i, base, sg, sh, qmax)) & 0xffffu) | (u32(q1(i + 1u, base, sg, sh, qmax)) << 16u);
    }
    textureStore(xt, vec2<i32>(i32(c), i32(row)), t);
  }`
      : `  let k2 = p.kPad / 2u;
  for (var c = 0u; c < k2; c++) {
    let lo = u32(q1(2u * c, base, sg, sh, qmax)) & 0xffffu;
    xq[row * k2 + c] = lo | (u32(q1(2u * c + 1u, base, sg, sh, qmax)) << 16u);
  }`
  }
}
`;
}

/**
 * A product with its requantisation (§3.10.3): out[r, o] = shift(acc, e_o + base − sh_r, max),
 * or with `residual = 1`, h[r, o] = clamp(h[r, o] + that, H_MAX). Each thread owns a
 * {@link gemmTile} output tile; edge tiles clamp their loads and guard their stores.
 */
export function gemmWgsl(packed: boolean, texture = false): string {
  const [tm, tn] = gemmTile(packed);
  const xLoad = (i: number) =>
    texture ? `textureLoad(x, vec2<i32>(i32(k), xb${i}), 0)` : `x[xb${i} + k]`;
  const wLoad = (j: number) =>
    texture ? `textureLoad(w, vec2<i32>(i32(k), wb${j}), 0)` : `w[wb${j} + k]`;
  const body = packed
    ? `  for (var k = 0u; k < p.k4; k++) {
${lines(tm, (i) => `    let xo${i} = (xb${i} + k) * 3u;`)}
${lines(tn, (j) => `    let wo${j} = (wb${j} + k) * 3u;`)}
${
      lines(
        tm,
        (i) =>
          `    let xh${i} = x[xo${i}]; let xl${i} = x[xo${i} + 1u]; let xs${i} = x[xo${i} + 2u];`,
      )
    }
${
      lines(
        tn,
        (j) =>
          `    let wh${j} = w[wo${j}]; let wl${j} = w[wo${j} + 1u]; let ws${j} = w[wo${j} + 2u];`,
      )
    }
${
      grid(
        tm,
        tn,
        (i, j) =>
          `    a${i}_${j} += vec3<u32>(bitcast<u32>(dot4I8Packed(xh${i}, wh${j})), bitcast<u32>(dot4I8Packed(xl${i}, wl${j})), bitcast<u32>(dot4I8Packed(xs${i}, ws${j})));`,
      )
    }
  }`
    : `  for (var k = 0u; k < p.k4; k++) {
${lines(tm, (i) => `    let xv${i} = ${xLoad(i)};`)}
${lines(tn, (j) => `    let wv${j} = ${wLoad(j)};`)}
${
      lines(tm, (i) =>
        `    let xl${i} = bitcast<vec4<i32>>(xv${i} << vec4<u32>(16u)) >> vec4<u32>(16u);`)
    }
${lines(tm, (i) => `    let xh${i} = bitcast<vec4<i32>>(xv${i}) >> vec4<u32>(16u);`)}
${
      lines(tn, (j) =>
        `    let wl${j} = bitcast<vec4<i32>>(wv${j} << vec4<u32>(16u)) >> vec4<u32>(16u);`)
    }
${lines(tn, (j) => `    let wh${j} = bitcast<vec4<i32>>(wv${j}) >> vec4<u32>(16u);`)}
${grid(tm, tn, (i, j) => `    a${i}_${j} += dot(xl${i}, wl${j}) + dot(xh${i}, wh${j});`)}
  }`;
  const acc = (i: number, j: number) =>
    packed
      ? `bitcast<i32>((a${i}_${j}.x << 14u) + ((a${i}_${j}.z - a${i}_${j}.x - a${i}_${j}.y) << 7u) + a${i}_${j}.y)`
      : `a${i}_${j}`;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> outv: array<i32>;
${
    texture
      ? `@group(0) @binding(1) var x: texture_2d<u32>;
@group(0) @binding(2) var w: texture_2d<u32>;`
      : `@group(0) @binding(1) var<storage, read> x: array<${packed ? "u32" : "vec4<u32>"}>;
@group(0) @binding(2) var<storage, read> w: array<${packed ? "u32" : "vec4<u32>"}>;`
  }
@group(0) @binding(3) var<storage, read> wexp: array<i32>;
@group(0) @binding(4) var<storage, read> xsh: array<i32>;
struct Params { rows: u32, k4: u32, n: u32, base: i32, maxv: i32, residual: u32 }
@group(0) @binding(5) var<uniform> p: Params;
${INT_WGSL}
${FLAT_INDEX_WGSL}
fn put(r: u32, o: u32, acc: i32) {
  if (r >= p.rows || o >= p.n) { return; }
  let v = shift_clamp(acc, wexp[o] + p.base - xsh[r], p.maxv);
  let idx = r * p.n + o;
  if (p.residual != 0u) { outv[idx] = clamp_sym(outv[idx] + v, H_MAX); } else { outv[idx] = v; }
}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  let tilesN = (p.n + ${tn - 1}u) / ${tn}u;
  let n0 = (t % tilesN) * ${tn}u;
  let m0 = (t / tilesN) * ${tm}u;
  if (m0 >= p.rows) { return; }
${
    lines(tm, (i) =>
      texture
        ? `  let xb${i} = i32(min(m0 + ${i}u, p.rows - 1u));`
        : `  let xb${i} = min(m0 + ${i}u, p.rows - 1u) * p.k4;`)
  }
${
    lines(tn, (j) =>
      texture
        ? `  let wb${j} = i32(min(n0 + ${j}u, p.n - 1u));`
        : `  let wb${j} = min(n0 + ${j}u, p.n - 1u) * p.k4;`)
  }
${grid(tm, tn, (i, j) => packed ? `  var a${i}_${j} = vec3<u32>(0u);` : `  var a${i}_${j} = 0;`)}
${body}
${grid(tm, tn, (i, j) => `  put(m0 + ${i}u, n0 + ${j}u, ${acc(i, j)});`)}
}
`;
}

/** Time steps per thread of the conv kernel. */
export const CONV_STEPS = 8;

/**
 * The folded conv (§3.10.6 2a): h += shift(Σ_j q[j, c]·n[t − j, c], e_c − 8) (n = 0 before
 * the window's start). A thread owns CONV_STEPS consecutive steps of one channel and holds the
 * 63 taps and the 62 + CONV_STEPS inputs they read in registers (unrolled), so each value is
 * loaded once instead of once per output: on llvmpipe those loads bound the kernel.
 */
export const CONV_WGSL = convWgsl();

function convWgsl(): string {
  const taps = CONV_TAPS, steps = CONV_STEPS, span = taps - 1 + steps;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> h: array<i32>;
@group(0) @binding(1) var<storage, read> nv: array<i32>;
@group(0) @binding(2) var<storage, read> cq: array<i32>;
@group(0) @binding(3) var<storage, read> cexp: array<i32>;
struct Params { n: u32, d: u32, time: u32, blocks: u32 }
@group(0) @binding(4) var<uniform> p: Params;
${INT_WGSL}
${FLAT_INDEX_WGSL}
fn input(rowBase: u32, s: i32, c: u32) -> i32 {
  if (s < 0 || s >= i32(p.time)) { return 0; }
  return nv[(rowBase + u32(s)) * p.d + c];
}
fn put(rowBase: u32, t: u32, c: u32, acc: i32) {
  if (t >= p.time) { return; }
  let i = (rowBase + t) * p.d + c;
  h[i] = clamp_sym(h[i] + shift_clamp(acc, cexp[c] - 8, H_MAX), H_MAX);
}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flatIndex(gid, nwg);
  if (id >= p.n) { return; }
  let c = id % p.d;
  let blk = (id / p.d) % p.blocks;
  let rowBase = (id / p.d / p.blocks) * p.time;
  let t0 = blk * ${steps}u;
  let s0 = i32(t0) - ${taps - 1};
${lines(taps, (j) => `  let q${j} = cq[${j}u * p.d + c];`)}
${lines(span, (r) => `  let v${r} = input(rowBase, s0 + ${r}, c);`)}
${
    lines(steps, (u) =>
      `  put(rowBase, t0 + ${u}u, c, ${
        range(taps).map((j) =>
          `q${j} * v${taps - 1 + u - j}`
        ).join(" + ")
      }); // <= 63 * 2047 * 16383 < 2^31`)
  }
}
`;
}

/**
 * The minGRU recurrence (§3.10.6 2b) per (window, channel), in place: reads k (buffer `ks`) and
 * u, writes s over k.
 */
export const GRU_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> ks: array<i32>;
@group(0) @binding(1) var<storage, read> u: array<i32>;
@group(0) @binding(2) var<uniform> exp2tab: array<vec4<u32>, 65>;
struct Params { n: u32, d: u32, time: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${INT_WGSL}
${EXP_WGSL}
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flatIndex(gid, nwg);
  if (id >= p.n) { return; }
  let b = id / p.d;
  let c = id % p.d;
  var s = 0;
  for (var t = 0u; t < p.time; t++) {
    let i = (b * p.time + t) * p.d + c;
    let z = sigmoid_q14(ks[i]);
    let ui = u[i];
    var ht = ui + 2048;
    if (ui < 0) { ht = rshr32(sigmoid_q14(ui), 2u); }
    s += mul_rshr(z, ht - s, 14u);
    ks[i] = s;
  }
}
`;

/** Slot attention weights (§3.10.6 2c) per row: p_i = ⌊(e_i·2^16 + Σe) / (2Σe)⌋ [Q15]. */
export const SOFTMAX_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> pv: array<i32>;
@group(0) @binding(1) var<storage, read> sc: array<i32>;
@group(0) @binding(2) var<uniform> exp2tab: array<vec4<u32>, 65>;
struct Params { rows: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${INT_WGSL}
${EXP_WGSL}
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let base = r * ${SLOTS}u;
  var mx = sc[base];
  for (var i = 1u; i < ${SLOTS}u; i++) { mx = max(mx, sc[base + i]); }
  var sum = vec2<u32>(0u, 0u); // in [2^30, 2^36]
  for (var i = 0u; i < ${SLOTS}u; i++) {
    sum = u64_add(sum, vec2<u32>(exp_neg(min(u32(mx - sc[base + i]), 65535u)), 0u));
  }
  let halfSum = u64_shr(sum, 1u);
  for (var i = 0u; i < ${SLOTS}u; i++) {
    let e = exp_neg(min(u32(mx - sc[base + i]), 65535u));
    // floor((e*2^16 + S) / (2S)) = floor((e*2^15 + floor(S/2)) / S), quotient <= 2^15
    let num = u64_add(vec2<u32>(e << 15u, e >> 17u), halfSum);
    let sh = u64_bitlen(sum) - 16u; // >= 15: the top 16 bits of S, then an exact correction
    pv[base + i] = i32(div_fix(num, sum, u64_shr(num, sh).x / u64_shr(sum, sh).x));
  }
}
`;

/** SwiGLU (§3.10.6 2d) per element, in place over a: m = rshr(rshr(a·σ(a), 14)·b, 12). */
export const SWIGLU_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<i32>;
@group(0) @binding(1) var<storage, read> b: array<i32>;
@group(0) @binding(2) var<uniform> exp2tab: array<vec4<u32>, 65>;
struct Params { n: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${INT_WGSL}
${EXP_WGSL}
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let ai = a[i];
  let silu = mul_rshr(ai, sigmoid_q14(ai), 14u);
  a[i] = mul_rshr(silu, b[i], 12u);
}
`;

/**
 * Position losses (§3.10.7) per row, Q20 nats, then (second entry point-free kernel below) the
 * per-window sums.
 */
export const LOSS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> loss: array<u32>;
@group(0) @binding(1) var<storage, read> logits: array<i32>;
@group(0) @binding(2) var<storage, read> tokens: array<u32>;
@group(0) @binding(3) var<uniform> exp2tab: array<vec4<u32>, 65>;
struct Params { rows: u32, time: u32 }
@group(0) @binding(4) var<uniform> p: Params;
${INT_WGSL}
${EXP_WGSL}
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  if (r % p.time == p.time - 1u) { loss[r] = 0u; return; }
  let base = r * ${VOCAB}u;
  var mx = logits[base];
  for (var v = 1u; v < ${VOCAB}u; v++) { mx = max(mx, logits[base + v]); }
  var sum = vec2<u32>(0u, 0u); // in [2^30, 2^38]
  for (var v = 0u; v < ${VOCAB}u; v++) {
    sum = u64_add(sum, vec2<u32>(exp_neg(min(u32(mx - logits[base + v]), 65535u)), 0u));
  }
  let lg = log2_q24(sum) - 30 * 16777216;
  let tgt = tokens[r + 1u];
  loss[r] = u32((mx - logits[base + tgt]) * 256 + mul_rshr(lg, ln2_q24(), 28u));
}
`;

/** The loss sum of each window (< 2^40) as (lo, hi) words at `sums[2·(first + b)]`. */
export const WINDOW_SUM_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> sums: array<u32>;
@group(0) @binding(1) var<storage, read> loss: array<u32>;
struct Params { batch: u32, time: u32, first: u32 }
@group(0) @binding(2) var<uniform> p: Params;
${INT_WGSL}
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flatIndex(gid, nwg);
  if (b >= p.batch) { return; }
  var s = vec2<u32>(0u, 0u);
  for (var t = 0u; t + 1u < p.time; t++) { s = u64_add(s, vec2<u32>(loss[b * p.time + t], 0u)); }
  sums[2u * (p.first + b)] = s.x;
  sums[2u * (p.first + b) + 1u] = s.y;
}
`;
