/**
 * CPU reference for one AdamW step (PyTorch `torch.optim.AdamW`, decoupled weight decay).
 *
 * @module
 */

/** AdamW hyper-parameters. */
export interface AdamwOptions {
  /** Learning rate. */
  lr: number;
  /** First-moment decay, e.g. 0.9. */
  beta1: number;
  /** Second-moment decay, e.g. 0.95. */
  beta2: number;
  /** Added to √v̂ in the denominator, e.g. 1e-8. */
  eps: number;
  /** Decoupled weight decay λ (θ ← θ − lr·λ·θ). */
  weightDecay: number;
}

/**
 * Updates `param`, `m` and `v` in place for step `step` (counted from 1):
 * g = grad·gradScale; θ ← θ(1 − lr·λ); m ← β1·m + (1−β1)g; v ← β2·v + (1−β2)g²;
 * θ ← θ − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε).
 *
 * @param gradScale multiplies the gradient first (gradient-clipping factor)
 *
 * @example
 * ```ts
 * const p = new Float32Array([1]), m = new Float32Array(1), v = new Float32Array(1);
 * adamwUpdate(p, new Float32Array([0.5]), m, v, 1,
 *   { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
 * // p[0] ≈ 0.9 (first step moves by ≈ lr·sign(g))
 * ```
 */
export function adamwUpdate(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  step: number,
  opts: AdamwOptions,
  gradScale = 1,
): void {
  const n = param.length;
  if (grad.length !== n || m.length !== n || v.length !== n) {
    throw new RangeError(`grad, m and v must have ${n} elements`);
  }
  if (!(step >= 1)) throw new RangeError(`step must be >= 1, got ${step}`);
  const { lr, beta1, beta2, eps, weightDecay } = opts;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < n; i++) {
    const g = grad[i]! * gradScale;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    const p = param[i]! * (1 - lr * weightDecay);
    param[i] = p - lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps);
  }
}
