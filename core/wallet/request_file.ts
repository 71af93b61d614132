/**
 * The files of social recovery between wallets (`rnt wallet recover-social …`), one JSON
 * document each:
 *
 * - the request the new owner writes and the guardians sign:
 *   `{ format: "rnt-recovery-request", network, tx, spent_value, social_policy, pending_policy }`
 *   with `tx` the unsigned transaction in hex, `spent_value` the social coin's value in
 *   resonances (decimal string) and both policies in the policy text language;
 * - a guardian's signature: `{ public_key, signature }` in hex.
 *
 * Decoding checks everything before anything is used; every malformed input is one
 * `WalletError("bad-recovery-request")` that says what is wrong.
 *
 * @module
 */
import type { NetworkParams } from "../consensus/params.ts";
import { fromHex, toHex } from "../crypto/keccak.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { formatPolicy, parsePolicy } from "../primitives/policy_text.ts";
import type { KeySignature } from "../primitives/satisfaction.ts";
import { decodeTx, encodeTx, type Tx } from "../primitives/tx.ts";
import { checkRecoveryRequest, type RecoveryRequest } from "./social_recovery.ts";
import { WalletError } from "./wallet_errors.ts";

/** The `format` field of a request file. */
export const REQUEST_FILE_FORMAT = "rnt-recovery-request";

/**
 * The request file text of `req` (pretty JSON ending in a newline).
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile("request.json", encodeRequestFile(params, req));
 * ```
 */
export function encodeRequestFile(params: NetworkParams, req: RecoveryRequest): string {
  const file = {
    format: REQUEST_FILE_FORMAT,
    network: params.name,
    tx: toHex(encodeTx(req.tx)),
    spent_value: req.spent.value.toString(),
    social_policy: formatPolicy(req.socialPolicy),
    pending_policy: formatPolicy(req.pendingPolicy),
  };
  return JSON.stringify(file, null, 2) + "\n";
}

function bad(message: string): WalletError {
  return new WalletError("bad-recovery-request", message);
}

/** Runs `fn`, turning any error it throws into a bad-recovery-request naming `field`. */
function field<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw bad(`bad ${name} (${(e as Error).message})`);
  }
}

/** The JSON object of a request file of `params`' network, its fields checked to be strings. */
function requestObject(params: NetworkParams, text: string): Record<string, string> {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw bad("not a JSON object");
  const o = j as Record<string, unknown>;
  if (o.format !== REQUEST_FILE_FORMAT || o.network !== params.name) {
    throw bad(`not a ${params.name} recovery request`);
  }
  for (const k of ["tx", "spent_value", "social_policy", "pending_policy"]) {
    if (typeof o[k] !== "string") throw bad(`missing or non-string field '${k}'`);
  }
  return o as Record<string, string>;
}

function decodeRequestTx(params: NetworkParams, hex: string): Tx {
  return field("tx", () => decodeTx(fromHex(hex), params.maxTxBytes));
}

/**
 * The request in a request file's `text`, checked as a guardian must check it before signing
 * ({@linkcode checkRecoveryRequest}). `WalletError("bad-recovery-request")` for anything else:
 * not JSON, another format or network, a missing field, bad hex, a transaction, value or policy
 * that does not decode, or a request that fails the checks.
 */
export function decodeRequestFile(params: NetworkParams, text: string): RecoveryRequest {
  const o = requestObject(params, text);
  const tx = decodeRequestTx(params, o.tx!);
  const value = field("spent_value", () => {
    if (!/^\d{1,20}$/.test(o.spent_value!)) throw new Error("not a decimal amount");
    return BigInt(o.spent_value!);
  });
  const socialPolicy = field("social_policy", () => parsePolicy(o.social_policy!));
  const pendingPolicy = field("pending_policy", () => parsePolicy(o.pending_policy!));
  const req: RecoveryRequest = {
    tx,
    spent: { value, address: { kind: RecoveryKind.social, hash: policyHash(socialPolicy) } },
    socialPolicy,
    pendingPolicy,
  };
  checkRecoveryRequest(params, req);
  return req;
}

/**
 * Only the transaction of a request file (the owner's cancel needs its txid and nothing else:
 * not the policies). Same errors as {@linkcode decodeRequestFile} for the parts it reads.
 */
export function decodeRequestFileTx(params: NetworkParams, text: string): Tx {
  return decodeRequestTx(params, requestObject(params, text).tx!);
}

/** A guardian's signature file text (one line of JSON ending in a newline). */
export function encodeSignatureFile(sig: KeySignature): string {
  return JSON.stringify(signatureJson(sig)) + "\n";
}

/** The JSON document of a guardian signature (what the signature file holds). */
export function signatureJson(sig: KeySignature): { public_key: string; signature: string } {
  return { public_key: toHex(sig.publicKey), signature: toHex(sig.signature) };
}

/**
 * The signature in a guardian's signature file `text`; `WalletError("bad-recovery-request")`
 * unless it is `{ public_key: 64 hex digits, signature: 128 hex digits }`. Whether it verifies
 * is for `finalizeRecovery` to decide.
 */
export function decodeSignatureFile(text: string): KeySignature {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw bad(`signature file is not JSON (${(e as Error).message})`);
  }
  const o = (typeof j === "object" && j !== null ? j : {}) as Record<string, unknown>;
  const pub = o.public_key, sig = o.signature;
  if (typeof pub !== "string" || !/^[0-9a-fA-F]{64}$/.test(pub)) {
    throw bad("signature file needs public_key: 64 hex digits");
  }
  if (typeof sig !== "string" || !/^[0-9a-fA-F]{128}$/.test(sig)) {
    throw bad("signature file needs signature: 128 hex digits");
  }
  return { publicKey: fromHex(pub.toLowerCase()), signature: fromHex(sig.toLowerCase()) };
}
