/**
 * WebGPU device access and the small set of helpers every kernel uses: storage buffers, a
 * cached pipeline per WGSL source, a command batch that records many dispatches and submits
 * them once, and read-back.
 *
 * Why one batch per step: on Deno every wait for the queue costs ~11 ms (the runtime polls the
 * device every 10 ms), while recording a dispatch costs microseconds.
 *
 * @module
 */

/** A WebGPU device plus what we learnt about its adapter. */
export interface GpuContext {
  /** The device all buffers and pipelines belong to. */
  readonly device: GPUDevice;
  /** Human-readable adapter description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly adapterName: string;
  /** True when the adapter is a software fallback (llvmpipe / lavapipe). */
  readonly isFallback: boolean;
  /** Compiled pipelines keyed by WGSL source, so each kernel compiles once per device. */
  readonly pipelines: Map<string, GPUComputePipeline>;
}

let cached: Promise<GpuContext | null> | undefined;

/**
 * Returns the shared GPU context, or `null` when this runtime has no WebGPU adapter.
 * Storage-buffer and buffer-size limits are raised to the adapter's maxima, since the defaults
 * (128 MiB / 256 MiB) are too small for large model matrices.
 *
 * @example
 * ```ts
 * const gpu = await requestGpu();
 * console.log(gpu ? gpu.adapterName : "no WebGPU adapter");
 * ```
 */
export function requestGpu(): Promise<GpuContext | null> {
  cached ??= acquire();
  return cached;
}

/**
 * Without XDG_RUNTIME_DIR the Vulkan/Wayland loaders print "XDG_RUNTIME_DIR is invalid or not
 * set" (twice) when an adapter is requested: give this process a private one (mode 0700, as
 * the XDG spec asks) before the first request. Nothing happens without env/write permission.
 */
export function ensureXdgRuntimeDir(): void {
  try {
    const current = Deno.env.get("XDG_RUNTIME_DIR");
    if (current !== undefined && current !== "") return;
    const dir = Deno.makeTempDirSync({ prefix: "rnt-xdg-runtime-" });
    Deno.chmodSync(dir, 0o700);
    Deno.env.set("XDG_RUNTIME_DIR", dir);
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // already gone
      }
    });
  } catch {
    // no permission: the loaders only print a warning
  }
}

async function acquire(): Promise<GpuContext | null> {
  if (typeof navigator === "undefined" || !("gpu" in navigator)) return null;
  ensureXdgRuntimeDir();
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    return null;
  }
  if (!adapter) return null;
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    },
  });
  const info = adapter.info;
  const adapterName = info.description || `${info.vendor} ${info.device}`.trim() || "unknown";
  return {
    device,
    adapterName,
    isFallback: info.isFallbackAdapter ?? /llvmpipe|lavapipe|swiftshader/i.test(adapterName),
    pipelines: new Map(),
  };
}

/** Returns the compute pipeline for `wgsl` (entry point `main`), compiling it on first use. */
export function pipelineFor(gpu: GpuContext, wgsl: string): GPUComputePipeline {
  let pipeline = gpu.pipelines.get(wgsl);
  if (!pipeline) {
    const module = gpu.device.createShaderModule({ code: wgsl });
    pipeline = gpu.device.createComputePipeline({
      layout: "auto",
      compute: { module, entryPoint: "main" },
    });
    gpu.pipelines.set(wgsl, pipeline);
  }
  return pipeline;
}

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/**
 * Creates a storage buffer. `init` is either a byte length (zero-filled) or typed data to upload.
 * Sizes are rounded up to a multiple of 4 bytes (and at least 4) as WebGPU requires.
 */
export function createStorage(
  gpu: GpuContext,
  init: number | Float32Array | Uint32Array | Int32Array,
  label?: string,
): GPUBuffer {
  const byteLength = typeof init === "number" ? init : init.byteLength;
  const size = Math.max(4, Math.ceil(byteLength / 4) * 4);
  const buffer = gpu.device.createBuffer({ size, usage: STORAGE, ...(label ? { label } : {}) });
  if (typeof init !== "number" && init.byteLength > 0) {
    gpu.device.queue.writeBuffer(
      buffer,
      0,
      init.buffer as ArrayBuffer,
      init.byteOffset,
      init.byteLength,
    );
  }
  return buffer;
}

/** Uploads `data` into `buffer` at `byteOffset` (queued; ordered before later submits). */
export function writeStorage(
  gpu: GpuContext,
  buffer: GPUBuffer,
  data: Float32Array | Uint32Array | Int32Array,
  byteOffset = 0,
): void {
  gpu.device.queue.writeBuffer(
    buffer,
    byteOffset,
    data.buffer as ArrayBuffer,
    data.byteOffset,
    data.byteLength,
  );
}

/** Values passed to a kernel as its uniform block: u32 unless given as `{ f32: x }`. */
export type UniformValue = number | { f32: number };

function packUniforms(values: readonly UniformValue[]): ArrayBuffer {
  // Uniform buffers must be at least 16 bytes and a multiple of 16.
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil((values.length * 4) / 16) * 16));
  const view = new DataView(bytes);
  values.forEach((v, i) => {
    if (typeof v === "number") view.setUint32(i * 4, v >>> 0, true);
    else view.setFloat32(i * 4, v.f32, true);
  });
  return bytes;
}

/** A byte range of a storage buffer, bound as if it were a buffer of its own. */
export interface BufferRange {
  readonly buffer: GPUBuffer;
  /** First byte: a multiple of the device's `minStorageBufferOffsetAlignment`. */
  readonly offset: number;
  /** Bytes: a multiple of 4, at most `maxStorageBufferBindingSize`. */
  readonly size: number;
}

/** What a kernel reads or writes: a whole storage buffer or a range of one. */
export type StorageBinding = GPUBuffer | BufferRange;

/** A resource a kernel binds: a buffer (bound whole), a range of one, or a texture view. */
export type BindingResource = StorageBinding | GPUTextureView;

function bindingOf(r: BindingResource): GPUBindingResource {
  if (r instanceof GPUBuffer) return { buffer: r };
  if (r instanceof GPUTextureView) return r;
  return { buffer: r.buffer, offset: r.offset, size: r.size };
}

/**
 * Records dispatches into one command encoder and submits them together.
 *
 * Bindings: the resources (storage buffers, texture views) take bindings 0..n-1 in the order
 * given; when `uniforms` are given they are bound at binding n as a `var<uniform>` block of
 * 4-byte fields.
 */
export class CommandBatch {
  readonly #gpu: GpuContext;
  readonly #encoder: GPUCommandEncoder;
  readonly #transient: GPUBuffer[] = [];
  #pass: GPUComputePassEncoder | null = null;

  constructor(gpu: GpuContext) {
    this.#gpu = gpu;
    this.#encoder = gpu.device.createCommandEncoder();
  }

  /** The GPU context this batch records for (kernels use it to allocate cached scratch). */
  get gpu(): GpuContext {
    return this.#gpu;
  }

  /** Records one dispatch of `wgsl` over `workgroups` (x, y, z). */
  dispatch(
    wgsl: string,
    buffers: readonly BindingResource[],
    workgroups: readonly [number, number?, number?],
    uniforms?: readonly UniformValue[],
  ): this {
    const pipeline = pipelineFor(this.#gpu, wgsl);
    const entries: GPUBindGroupEntry[] = buffers.map((r, binding) => ({
      binding,
      resource: bindingOf(r),
    }));
    if (uniforms) {
      const data = packUniforms(uniforms);
      const ub = this.#gpu.device.createBuffer({
        size: data.byteLength,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.#gpu.device.queue.writeBuffer(ub, 0, data);
      this.#transient.push(ub);
      entries.push({ binding: buffers.length, resource: { buffer: ub } });
    }
    const bindGroup = this.#gpu.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries,
    });
    this.#pass ??= this.#encoder.beginComputePass();
    this.#pass.setPipeline(pipeline);
    this.#pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = workgroups;
    if (x > 0 && y > 0 && z > 0) this.#pass.dispatchWorkgroups(x, y, z);
    return this;
  }

  /** Records a buffer-to-buffer copy (ends the current compute pass). */
  copy(src: GPUBuffer, dst: GPUBuffer, byteLength: number, srcOffset = 0, dstOffset = 0): this {
    this.#endPass();
    this.#encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, byteLength);
    return this;
  }

  /** Records zero-filling of `buffer`. */
  clear(buffer: GPUBuffer, byteOffset = 0, byteLength?: number): this {
    this.#endPass();
    this.#encoder.clearBuffer(buffer, byteOffset, byteLength);
    return this;
  }

  /**
   * Records arbitrary encoder commands (e.g. `copyBufferToTexture`) in order with the rest of the
   * batch: ends the current compute pass, then calls `fn` with the batch's encoder.
   *
   * @example
   * ```ts
   * import { CommandBatch, createStorage, readF32, requestGpu } from "./device.ts";
   *
   * const gpu = await requestGpu();
   * if (gpu) { // no WebGPU adapter: nothing to show
   *   const src = createStorage(gpu, new Float32Array([1, 2])), dst = createStorage(gpu, 8);
   *   const batch = new CommandBatch(gpu);
   *   batch.encode((e) => e.copyBufferToBuffer(src, 0, dst, 0, 8));
   *   batch.submit();
   *   console.log(await readF32(gpu, dst, 2)); // Float32Array(2) [ 1, 2 ]
   * }
   * ```
   */
  encode(fn: (encoder: GPUCommandEncoder) => void): this {
    this.#endPass();
    fn(this.#encoder);
    return this;
  }

  #endPass(): void {
    if (this.#pass) {
      this.#pass.end();
      this.#pass = null;
    }
  }

  /** Submits everything recorded. Does not wait for completion. */
  submit(): void {
    this.#endPass();
    this.#gpu.device.queue.submit([this.#encoder.finish()]);
    const transient = this.#transient.splice(0);
    if (transient.length > 0) {
      this.#gpu.device.queue.onSubmittedWorkDone().then(() => {
        for (const b of transient) b.destroy();
      });
    }
  }
}

/** Copies `byteLength` bytes of `buffer` back to the CPU (waits for all queued work). */
export async function readStorage(
  gpu: GpuContext,
  buffer: GPUBuffer,
  byteLength = buffer.size,
  byteOffset = 0,
): Promise<ArrayBuffer> {
  const size = Math.ceil(byteLength / 4) * 4;
  const staging = gpu.device.createBuffer({
    size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = gpu.device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
  gpu.device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = staging.getMappedRange().slice(0, byteLength);
  staging.unmap();
  staging.destroy();
  return out;
}

/** Reads a buffer back as f32 values. */
export async function readF32(
  gpu: GpuContext,
  buffer: GPUBuffer,
  count?: number,
): Promise<Float32Array> {
  const bytes = await readStorage(gpu, buffer, count === undefined ? buffer.size : count * 4);
  return new Float32Array(bytes);
}
