/**
 * A {@linkcode SignatureVerifier} that spreads large batches over worker threads: a block with at
 * least `threshold` signatures is cut into one contiguous slice per worker, each verified there
 * with `verifyBatch` (strict Ed25519, so the answers are exactly the in-thread ones); smaller
 * batches stay in this thread, where posting to workers would cost more than it saves. Measured
 * in `bench/sig_bench.ts`.
 *
 * Wiring (node side only; `core/` stays pure): pass `pool` wherever chain validation takes a
 * verifier (`verifySignatureChecks(checks, pool)`), and `close()` it at shutdown.
 *
 * @module
 */
import type { VerifyItem } from "../../core/crypto/ed25519.ts";
import {
  IN_THREAD_VERIFIER,
  type SignatureVerifier,
} from "../../core/crypto/signature_verifier.ts";

/** Options of {@linkcode WorkerPoolVerifier}. */
export interface WorkerPoolOptions {
  /** Worker threads (default: navigator.hardwareConcurrency, at least 2, at most 8). */
  readonly workers?: number;
  /** Fewest signatures sent to the workers (default 256); smaller batches stay in-thread. */
  readonly threshold?: number;
}

interface Pending {
  readonly resolve: (ok: boolean[]) => void;
  readonly reject: (e: Error) => void;
}

/** Verifies big signature batches on worker threads. */
export class WorkerPoolVerifier implements SignatureVerifier {
  readonly threshold: number;
  readonly #workers: Worker[];
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    const n = options.workers ?? Math.min(8, Math.max(2, navigator.hardwareConcurrency ?? 2));
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`workers must be ≥ 1, got ${n}`);
    this.threshold = options.threshold ?? 256;
    const url = new URL("./sig_worker.ts", import.meta.url);
    this.#workers = Array.from({ length: n }, () => {
      const w = new Worker(url, { type: "module" });
      w.onmessage = (e: MessageEvent<{ id: number; ok?: boolean[]; error?: string }>) => {
        const p = this.#pending.get(e.data.id);
        if (!p) return;
        this.#pending.delete(e.data.id);
        if (e.data.ok) p.resolve(e.data.ok);
        else p.reject(new Error(`signature worker failed: ${e.data.error}`));
      };
      w.onerror = (e) => {
        e.preventDefault();
        this.#failAll(new Error(`signature worker crashed: ${e.message}`));
      };
      return w;
    });
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  /** One boolean per item, in order (strict Ed25519). */
  async verify(items: readonly VerifyItem[]): Promise<boolean[]> {
    if (this.#closed) throw new Error("signature verifier is closed");
    if (items.length < this.threshold) return await IN_THREAD_VERIFIER.verify(items);
    const per = Math.ceil(items.length / this.#workers.length);
    const parts: Promise<boolean[]>[] = [];
    for (let w = 0; w * per < items.length; w++) {
      parts.push(this.#send(this.#workers[w]!, items.slice(w * per, (w + 1) * per)));
    }
    return (await Promise.all(parts)).flat();
  }

  #send(worker: Worker, items: readonly VerifyItem[]): Promise<boolean[]> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, items });
    });
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  /** Stops the workers; pending calls fail. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#workers) w.terminate();
    this.#failAll(new Error("signature verifier closed"));
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}
