/**
 * One loose transaction against a UTXO view and the tip (what a mempool runs): stage 1 and
 * stage 3 rules and signature verification, as a block containing it after `parent` would.
 *
 * @module
 */
import { isCoinbase, type Tx } from "../primitives/tx.ts";
import type { ChainEntry, UtxoView } from "./chain_entry.ts";
import { checkTxInputs, type TxInputsResult, verifySignatureChecks } from "./check_tx_inputs.ts";
import { checkTxSanity } from "./check_tx_sanity.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";

/**
 * Validates `tx` for inclusion in a child of `parent`; a coinbase is "bad-cb-multiple" (it can
 * only come with its block). Throws ValidationError; returns the inputs result (fee, spent…).
 *
 * @example Not run as a doc test: it needs a chain (parameters, parent entry, UTXO view); the tests beside it build one.
 * ```ts ignore
 * const { feeResonances } = await validateTransaction(tx, view, { params, parent: tip });
 * ```
 */
export async function validateTransaction(
  tx: Tx,
  view: UtxoView,
  ctx: { readonly params: NetworkParams; readonly parent: ChainEntry },
): Promise<TxInputsResult> {
  checkTxSanity(tx, ctx.params);
  if (isCoinbase(tx)) reject("bad-cb-multiple", "a loose coinbase");
  const res = checkTxInputs(tx, view, ctx);
  await verifySignatureChecks(res.signatureChecks);
  return res;
}
