/**
 * CPU reference for the token embedding lookup (`table` is `[vocab, dim]`).
 *
 * @module
 */

/**
 * y[r] = table[tokens[r]].
 *
 * @param tokens token ids, one per row; each must be < vocab
 * @param table embedding table `[vocab, dim]`
 * @returns y `[tokens.length, dim]`
 *
 * @example
 * ```ts
 * const y = embeddingForward(new Uint32Array([1]), new Float32Array([0, 0, 5, 6]), 2);
 * // y = [5, 6]
 * ```
 */
export function embeddingForward(
  tokens: Uint32Array,
  table: Float32Array,
  dim: number,
): Float32Array {
  const vocab = Math.floor(table.length / dim);
  const y = new Float32Array(tokens.length * dim);
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r]!;
    if (t >= vocab) throw new RangeError(`tokens[${r}] must be < ${vocab}, got ${t}`);
    y.set(table.subarray(t * dim, (t + 1) * dim), r * dim);
  }
  return y;
}

/**
 * dtable[v] = Σ_{r: tokens[r]=v} dy[r], summed in row order.
 *
 * @param dy upstream gradient `[tokens.length, dim]`
 * @returns dtable `[vocab, dim]`
 *
 * @example
 * ```ts
 * const d = embeddingBackward(new Float32Array([1, 2, 3, 4]), new Uint32Array([0, 0]), 2, 2);
 * // d = [4, 6, 0, 0]
 * ```
 */
export function embeddingBackward(
  dy: Float32Array,
  tokens: Uint32Array,
  vocab: number,
  dim: number,
): Float32Array {
  if (dy.length !== tokens.length * dim) {
    throw new RangeError(`dy must have ${tokens.length * dim} elements, got ${dy.length}`);
  }
  const acc = new Float64Array(vocab * dim);
  for (let r = 0; r < tokens.length; r++) {
    const t = tokens[r]!;
    if (t >= vocab) throw new RangeError(`tokens[${r}] must be < ${vocab}, got ${t}`);
    for (let c = 0; c < dim; c++) acc[t * dim + c]! += dy[r * dim + c]!;
  }
  return Float32Array.from(acc);
}
