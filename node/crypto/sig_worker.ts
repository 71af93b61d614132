/**
 * Worker side of {@linkcode WorkerPoolVerifier}: receives `{ id, items }` (each item as three
 * byte arrays), answers `{ id, ok }` from `verifyBatch` (strict Ed25519) run in this thread.
 *
 * @module
 */
import { verifyBatch, type VerifyItem } from "../../core/crypto/ed25519.ts";

/** A request from the pool. */
interface Job {
  readonly id: number;
  readonly items: readonly VerifyItem[];
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Job>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = async (e: MessageEvent<Job>) => {
  const { id, items } = e.data;
  try {
    scope.postMessage({ id, ok: await verifyBatch(items) });
  } catch (error) {
    scope.postMessage({ id, error: String((error as Error)?.message ?? error) });
  }
};
