/**
 * Matrix product through sampled textures: c[M, N] (+)= Σ_k a(m, k)·b(n, k), both operands
 * packed into k-major panels of {@link TEXTURE_BLOCK} rows and copied into `rgba32float` 2-D
 * array textures (one layer per block, one texel = 4 consecutive rows at one k), then one
 * dispatch in which every thread accumulates a {@link TEXTURE_TILE}² output tile over all of k.
 *
 * Why textures: on Mesa llvmpipe a storage- or uniform-buffer load whose address differs between
 * invocations is a per-lane scalar loop (storage, with a bounds branch per lane) or a per-lane
 * gather (uniform), and those loads bound every buffer kernel in `matmul.ts`. A `textureLoad`
 * goes through llvmpipe's texel-fetch code instead, which is much cheaper per value, and a texture
 * holds the whole k range, so there is no 64 KiB chunking and no per-chunk dispatch. Measured on
 * Mesa 22.3.6 (LLVM 15, 2 shared cores): the 16×16 kernel alone reached 9.8–11.3 GFLOP/s at 1024³
 * (load ≈ 1.3); with packing and unpadding, 1.1–1.6× the packed uniform-buffer path of
 * `matmul.ts` in the same bench run (see bench/README.md).
 *
 * {@link recordMatmulTexture} records into a `CommandBatch` (texture views are bound like buffers,
 * the buffer-to-texture copies go through `CommandBatch.encode`), so the model keeps one submit
 * per step; `recordMatmul*` in `matmul.ts` choose it for every product of at least
 * `TEXTURE_MIN_WORK` multiply-adds within {@link textureLimits}.
 *
 * @module
 */
import { CommandBatch, type GpuContext, type StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";
import { MATMUL_PACK_WGSL, matmulScratch, PACKED_BLOCK } from "./matmul_pack.ts";

/** Rows per panel block (one texture layer): 32 texels of 4 floats. */
export const TEXTURE_BLOCK = 128;
/** Output tile per thread (TEXTURE_TILE × TEXTURE_TILE); one 64-thread workgroup per block pair. */
export const TEXTURE_TILE = 16;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const LANES = ["x", "y", "z", "w"] as const;

/**
 * The texture kernel: thread t of workgroup (·, mb, nb) owns rows mb·B + (t / (B/tn))·tm and
 * columns nb·B + (t % (B/tn))·tn of a padded `[blocksM·B, np]` result (np = blocksN·B), stored
 * with unguarded vec4 stores: per-element guards and accumulate branches made llvmpipe take ~45 s
 * to compile a 16×16 tile, against ~1 s this way. Padded panel rows are zero, so loads need no
 * guard either. Each output sums k in increasing order, so results are bit-identical run to run.
 */
export function matmulTextureWgsl(tm = TEXTURE_TILE, tn = TEXTURE_TILE): string {
  const vm = tm / 4, vn = tn / 4, per = TEXTURE_BLOCK / tn;
  const tiles = (TEXTURE_BLOCK / tm) * per;
  const acc = (f: (i: number, j: number) => string) =>
    range(tm).flatMap((i) => range(vn).map((j) => f(i, j))).join("\n");
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var ta: texture_2d_array<f32>;
@group(0) @binding(2) var tb: texture_2d_array<f32>;
struct Params { K: u32, np4: u32 }
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let t = gid.x;
  if (t >= ${tiles}u) { return; }
  let ai = i32((t / ${per}u) * ${vm}u);
  let bj = i32((t % ${per}u) * ${vn}u);
  let la = i32(wg.y);
  let lb = i32(wg.z);
${acc((i, j) => `  var s${i}_${j} = vec4<f32>(0.0);`)}
  for (var k = 0; k < i32(p.K); k++) {
${
    range(vm).map((q) => `    let a${q} = textureLoad(ta, vec2<i32>(ai + ${q}, k), la, 0);`).join(
      "\n",
    )
  }
${
    range(vn).map((j) => `    let b${j} = textureLoad(tb, vec2<i32>(bj + ${j}, k), lb, 0);`).join(
      "\n",
    )
  }
${acc((i, j) => `    s${i}_${j} += a${i >> 2}.${LANES[i & 3]} * b${j};`)}
  }
  let o = (wg.y * ${TEXTURE_BLOCK}u + u32(ai) * 4u) * p.np4 + wg.z * ${
    TEXTURE_BLOCK / 4
  }u + u32(bj);
${acc((i, j) => `  out[o + ${i}u * p.np4 + ${j}u] = s${i}_${j};`)}
}
`;
}

/** c[r, col] (+)= out[r·np + col] for r < M, col < N: the padded result into the caller's c. */
export const MATMUL_UNPAD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<storage, read> out: array<f32>;
struct Params { M: u32, N: u32, np: u32, acc: u32 }
@group(0) @binding(2) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  if (t >= p.M * p.N) { return; }
  let v = out[(t / p.N) * p.np + t % p.N];
  if (p.acc != 0u) { c[t] = c[t] + v; } else { c[t] = v; }
}
`;

const TEXTURE_WGSL = matmulTextureWgsl();

/** Strided view of an operand: element (i, k) at i·si + k·sk, i < n. */
export interface TextureOperand {
  /** Storage buffer holding the operand. */
  buf: StorageBinding;
  /** Rows (the output dimension this operand indexes). */
  n: number;
  /** Stride between rows, in floats. */
  si: number;
  /** Stride between consecutive k, in floats. */
  sk: number;
}

if (TEXTURE_BLOCK !== PACKED_BLOCK) throw new Error("texture blocks must match packed panels");

/** Largest K this path takes on `gpu` (texture height) and largest row count (layers × B). */
export function textureLimits(gpu: GpuContext): { maxK: number; maxRows: number } {
  const { maxTextureDimension2D, maxTextureArrayLayers } = gpu.device.limits;
  return { maxK: maxTextureDimension2D, maxRows: maxTextureArrayLayers * TEXTURE_BLOCK };
}

/** True when a product with these sizes fits {@link textureLimits} of `gpu`. */
export function fitsTexture(gpu: GpuContext, rowsA: number, rowsB: number, K: number): boolean {
  const { maxK, maxRows } = textureLimits(gpu);
  return K <= maxK && rowsA <= maxRows && rowsB <= maxRows;
}

/**
 * Records c[M, N] (+)= Σ_k a(m, k)·b(n, k) with M = a.n, N = b.n into `batch`: packs each
 * operand into a panel buffer, copies it into a texture array, runs {@link matmulTextureWgsl}
 * and adds or writes the padded result into c. Panels, textures and the padded result are cached
 * per device and size, like the packed path's scratch buffers; kernel parameters go in the
 * batch's per-dispatch uniforms, so many products may be recorded into one batch.
 *
 * @param acc add into c instead of overwriting it
 * @throws RangeError when K or a row count exceeds {@link textureLimits}
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMatmulTexture } from "./matmul_texture.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   // y = x·wᵀ, x [1 row, 2 in], w [2 out, 2 in]
 *   const x = createStorage(gpu, new Float32Array([1, 2]));
 *   const w = createStorage(gpu, new Float32Array([3, 4, 5, 6]));
 *   const y = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   const a = { buf: x, n: 1, si: 2, sk: 1 }, b = { buf: w, n: 2, si: 2, sk: 1 };
 *   recordMatmulTexture(batch, y, a, b, 2, false);
 *   batch.submit();
 *   console.log(await readF32(gpu, y, 2)); // Float32Array(2) [ 11, 17 ]
 * }
 * ```
 */
export function recordMatmulTexture(
  batch: CommandBatch,
  c: StorageBinding,
  a: TextureOperand,
  b: TextureOperand,
  K: number,
  acc: boolean,
): void {
  const gpu = batch.gpu;
  const { maxK, maxRows } = textureLimits(gpu);
  for (const v of [a.n, b.n, K]) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`sizes must be integers ≥ 0: ${v}`);
  }
  if (!fitsTexture(gpu, a.n, b.n, K)) {
    throw new RangeError(`texture matmul limits: K ≤ ${maxK}, rows ≤ ${maxRows}`);
  }
  if (a.n === 0 || b.n === 0) return;
  const device = gpu.device;
  const kk = Math.max(K, 1); // a texture needs height ≥ 1; K = 0 leaves zero panels
  const textures = (["a", "b"] as const).map((role) => {
    const op = role === "a" ? a : b;
    const blocks = Math.ceil(op.n / TEXTURE_BLOCK);
    const total = blocks * kk * TEXTURE_BLOCK;
    const tex = matmulScratch(device, `texture-${role}:${kk}x${blocks}`, () => {
      const texture = device.createTexture({
        size: [TEXTURE_BLOCK / 4, kk, blocks],
        format: "rgba32float",
        usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
      });
      return { texture, view: texture.createView({ dimension: "2d-array" }) };
    });
    if (K > 0) {
      const panel = matmulScratch(device, `panel-${role}:${total}`, () =>
        device.createBuffer({
          size: total * 4,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
        }));
      batch.dispatch(MATMUL_PACK_WGSL, [panel, op.buf], grid1d(total), [
        op.n,
        K,
        op.si,
        op.sk,
        total,
      ]);
      batch.encode((e) =>
        e.copyBufferToTexture(
          { buffer: panel, bytesPerRow: TEXTURE_BLOCK * 4, rowsPerImage: kk },
          { texture: tex.texture },
          [TEXTURE_BLOCK / 4, kk, blocks],
        )
      );
    }
    return { view: tex.view, blocks };
  });
  const [ta, tb] = textures as [typeof textures[0], typeof textures[0]];
  const np = tb.blocks * TEXTURE_BLOCK;
  const outFloats = ta.blocks * TEXTURE_BLOCK * np;
  const out = matmulScratch(
    device,
    `out:${outFloats}`,
    () => device.createBuffer({ size: outFloats * 4, usage: GPUBufferUsage.STORAGE }),
  );
  const tiles = (TEXTURE_BLOCK / TEXTURE_TILE) ** 2;
  batch.dispatch(TEXTURE_WGSL, [out, ta.view, tb.view], [
    Math.ceil(tiles / 64),
    ta.blocks,
    tb.blocks,
  ], [K, np / 4]);
  batch.dispatch(MATMUL_UNPAD_WGSL, [c, out], grid1d(a.n * b.n), [a.n, b.n, np, acc ? 1 : 0]);
}

/**
 * Submits c[M, N] (+)= Σ_k a(m, k)·b(n, k) on its own: {@link recordMatmulTexture} in a batch of
 * its own, then one submit. Queued like any submit: a later read-back sees the result.
 *
 * @param acc add into c instead of overwriting it
 * @throws RangeError when K or a row count exceeds {@link textureLimits}
 *
 * @example
 * ```ts
 * import { createStorage, readF32, requestGpu } from "../device.ts";
 * import { matmulTexture } from "./matmul_texture.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const x = createStorage(gpu, new Float32Array([1, 2]));
 *   const w = createStorage(gpu, new Float32Array([3, 4, 5, 6]));
 *   const y = createStorage(gpu, 2 * 4);
 *   matmulTexture(gpu, y, { buf: x, n: 1, si: 2, sk: 1 }, { buf: w, n: 2, si: 2, sk: 1 }, 2, false);
 *   console.log(await readF32(gpu, y, 2)); // Float32Array(2) [ 11, 17 ]
 * }
 * ```
 */
export function matmulTexture(
  gpu: GpuContext,
  c: StorageBinding,
  a: TextureOperand,
  b: TextureOperand,
  K: number,
  acc: boolean,
): void {
  const batch = new CommandBatch(gpu);
  recordMatmulTexture(batch, c, a, b, K, acc);
  batch.submit();
}
