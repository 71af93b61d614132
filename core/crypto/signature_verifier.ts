/**
 * Where block validation sends its Ed25519 checks: an injectable verifier, so the node can spread
 * a block's signatures over worker threads while `core/` stays pure (it defines the interface and
 * the in-thread default only). Every implementation must answer exactly as
 * {@linkcode verifyBatch} (strict Ed25519), one boolean per item in order.
 *
 * @module
 */
import { verifyBatch, type VerifyItem } from "./ed25519.ts";

/** Verifies a list of signature checks. */
export interface SignatureVerifier {
  /** One boolean per item, in order, with strict Ed25519 semantics. */
  verify(items: readonly VerifyItem[]): Promise<boolean[]>;
}

/** The in-thread verifier: {@linkcode verifyBatch}. */
export const IN_THREAD_VERIFIER: SignatureVerifier = Object.freeze({ verify: verifyBatch });
