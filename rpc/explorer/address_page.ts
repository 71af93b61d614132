/**
 * The explorer's address page: balance, unspent outputs and history, and for every coin when it
 * returns to the emission pool unless heartbeated. A coin unspent for `emissionReturnAgeSecs` of
 * median time past may be swept by any miner (PROTOCOL §5.8); any spend by the owner (to itself)
 * is the proof of life that restarts its clock.
 *
 * @module
 */
import type { AddressData } from "../../core/primitives/address.ts";
import type { Node } from "../../node/node.ts";
import { addressKey, scanHistory, scanUnspent } from "../methods/address_index.ts";
import { recoveryKindName } from "../methods/format.ts";
import { blockLink, duration, facts, type Html, html, rnt, table, txLink, utc } from "./html.ts";

/** When a coin created at median time `createdMtpSecs` returns to emission, seen from the tip. */
export interface EmissionReturn {
  /** The median time past from which it may be swept. */
  readonly atMtpSecs: number;
  /** Seconds of median time left (0: it may be swept now). */
  readonly inSecs: number;
}

/** The emission return of a coin created at `createdMtpSecs`, with the tip at `tipMtpSecs`. */
export function emissionReturn(
  node: Node,
  createdMtpSecs: number,
  tipMtpSecs: number,
): EmissionReturn {
  const atMtpSecs = createdMtpSecs + node.params.emissionReturnAgeSecs;
  return { atMtpSecs, inSecs: Math.max(0, atMtpSecs - tipMtpSecs) };
}

/** The body of the page of `address` (already decoded to `data`). */
export async function addressPage(node: Node, address: string, data: AddressData): Promise<Html> {
  const wanted = new Set([addressKey(data)]);
  // Oldest first: the coins that return to emission soonest lead the table.
  const unspent = (await scanUnspent(node, wanted, true)).sort((a, b) =>
    a.entry.createdMtpSecs - b.entry.createdMtpSecs || a.entry.height - b.entry.height
  );
  const history = await scanHistory(node, wanted, true);
  const tipMtp = node.chainstate.tip().mtpSecs;
  const balance = unspent.reduce((s, u) => s + u.entry.value, 0n);
  const age = node.params.emissionReturnAgeSecs;
  const soonest = unspent.map((u) => emissionReturn(node, u.entry.createdMtpSecs, tipMtp))
    .sort((a, b) => a.inSecs - b.inSecs)[0];
  return html`
    ${facts([
      ["address", html`<code data-field="address">${address}</code>`],
      ["recovery kind", recoveryKindName(data.kind)],
      [
        "balance",
        html`<span data-field="balance">${rnt(balance)}</span> in ${unspent.length} coin(s)`,
      ],
      [
        "next return to emission",
        soonest === undefined
          ? "no coins"
          : soonest.inSecs === 0
          ? html`<span class="warn" data-field="expiry">now: a coin may be swept back to emission by any miner</span>`
          : html`
            <span
              data-field="expiry">in ${duration(
                soonest.inSecs,
              )}</span> (when the chain's median time passes ${utc(
                soonest.atMtpSecs,
              )}) unless heartbeated
          `,
      ],
    ], "address")}
    <p
      class="expiry-rule">Coins return to the emission pool when left unspent for ${duration(
        age,
      )} of median time past (${age} s, PROTOCOL §5.8): after that any miner may sweep them and their value stops
    counting as supply. A heartbeat — any spend by the owner, to itself — restarts the clock.</p>
    <h2>Unspent coins</h2>
    ${table(
      ["coin", "value", "height", "confirmations", "returns to emission"],
      unspent.map((u) => {
        const [id, vout] = u.key.split(":") as [string, string];
        const r = emissionReturn(node, u.entry.createdMtpSecs, tipMtp);
        return [
          html`${txLink(id)}:${vout}`,
          rnt(u.entry.value),
          u.confirmations === 0 ? "mempool" : u.entry.height,
          u.confirmations,
          r.inSecs === 0
            ? html`<span class="warn">now (may be swept)</span>`
            : html`in ${duration(r.inSecs)} <span class="muted">(median time ${
              utc(r.atMtpSecs)
            })</span>`,
        ];
      }),
      "unspent",
    )}
    <h2>History</h2>
    ${table(
      ["txid", "block", "received", "sent"],
      history.reverse().map((row) => [
        txLink(row.txid as string),
        row.blockhash === null
          ? "mempool"
          : html`${row.height} ${blockLink(row.blockhash as string)}`,
        rnt(row.received_resonances as bigint),
        rnt(row.sent_resonances as bigint),
      ]),
      "history",
    )}
  `;
}
