/**
 * Bench helper: PyTorch float32 forward time of a `.rnet` checkpoint on one thread
 * (`bench/torch_ref.py eval-time`), the yardstick of the exact evaluator benches. PyTorch runs with
 * `--threads 1` and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = 1: Debian's torch does its products in
 * the pthread OpenBLAS, whose own thread pool ignores `set_num_threads`.
 *
 * @module
 */

/** What `torch_ref.py eval-time` measured. */
export interface TorchEvalTime {
  /** Wall seconds of the forward passes. */
  readonly seconds: number;
  /** CPU seconds of the Python process over them. */
  readonly cpu_seconds: number;
  /** The float32 loss in nats. */
  readonly loss: number;
}

/**
 * Times PyTorch on the first `bytes` bytes of `network`'s validation set with the checkpoint at
 * `rnetPath`; `{ error }` (the last line of its stderr) when PyTorch cannot run here.
 */
export async function torchEvalTime(
  rnetPath: string,
  network: string,
  bytes: number,
): Promise<TorchEvalTime | { error: string }> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./torch_ref.py", import.meta.url).pathname,
      "--threads",
      "1",
      "eval-time",
      "--rnet",
      rnetPath,
      "--network",
      network,
      "--bytes",
      String(bytes),
    ],
    env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output().catch((e) => ({
    success: false,
    stdout: new Uint8Array(),
    stderr: new TextEncoder().encode(String(e)),
  }));
  if (!out.success) {
    return { error: new TextDecoder().decode(out.stderr).trim().split("\n").at(-1) ?? "" };
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as TorchEvalTime;
}
