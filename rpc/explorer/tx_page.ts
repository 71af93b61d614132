/**
 * The explorer's transaction page: where the transaction is (block or mempool), its inputs with
 * the revealed policies, and its outputs with their addresses and recovery kinds.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { formatPolicy } from "../../core/primitives/policy_text.ts";
import { encodeTx, isCoinbase } from "../../core/primitives/tx.ts";
import { wtxid } from "../../core/primitives/tx_hash.ts";
import type { FoundTx, Node } from "../../node/node.ts";
import { addressJson } from "../methods/format.ts";
import { addressLink, blockLink, facts, type Html, html, rnt, table, txLink } from "./html.ts";

/** The body of the page of transaction `id`, found as `found`. */
export function txPage(node: Node, id: Uint8Array, found: FoundTx): Html {
  const { tx, blockHash } = found;
  const entry = blockHash ? node.chainstate.getEntry(blockHash) : undefined;
  const coinbase = isCoinbase(tx);
  const sweep = !coinbase && tx.witnesses.length === 0;
  return html`${
    facts([
      ["txid", html`<code data-field="txid">${toHex(id)}</code>`],
      ["wtxid", html`<code>${toHex(wtxid(node.params.magic, tx))}</code>`],
      [
        "in",
        entry
          ? html`block ${entry.height} ${blockLink(entry.hash)} (${
            node.chainstate.tip().height - entry.height + 1
          } confirmations)`
          : "the mempool (unconfirmed)",
      ],
      [
        "kind",
        coinbase ? "coinbase" : sweep ? "emission-return sweep (PROTOCOL §5.8)" : "transfer",
      ],
      ["size", `${encodeTx(tx).length} bytes`],
      ["locktime", tx.locktime],
    ], "tx")
  }
<h2>Inputs</h2>
${
    coinbase ? html`<p>Coinbase: new coins and the block's fees.</p>` : table(
      ["spends", "sequence", "policy revealed"],
      tx.inputs.map((input, i) => {
        const w = tx.witnesses[i];
        return [
          html`${txLink(input.prevout.txid)}:${input.prevout.vout}`,
          input.sequence,
          w
            ? html`<code>${formatPolicy(w.policy)}</code>`
            : html`<span class="muted">none (sweep)</span>`,
        ];
      }),
      "inputs",
    )
  }
<h2>Outputs</h2>
${
    table(
      ["n", "value", "address", "recovery kind"],
      tx.outputs.map((out, n) => {
        const a = addressJson(node.params, out.address);
        return [n, rnt(out.value), addressLink(a.address as string | null), a.recovery_kind];
      }),
      "outputs",
    )
  }`;
}
