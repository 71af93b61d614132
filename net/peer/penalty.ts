/**
 * Peer penalties for rejected data, decided once from the reject reason's category
 * (core/consensus/reasons.ts), like Bitcoin Core's `MaybePunishNodeForBlock` / `ForTx`.
 * The table is written out in docs/PROTOCOL.md §8.
 *
 * @module
 */
import {
  type ReasonCategory,
  reasonCategory,
  type RejectReason,
} from "../../core/consensus/reasons.ts";

/**
 * What happens to the peer that sent rejected data:
 * - `discourage`: disconnect and discourage its address (24 h);
 * - `none`: it stays connected, the data is dropped (or kept to retry, see the sync).
 */
export type Penalty = "discourage" | "none";

/** How the rejected data arrived: as a block or header, or as a loose relayed transaction. */
export type PenaltyContext = "block" | "tx";

/** The penalty of each category in each context. */
export const PENALTIES: Readonly<
  Record<ReasonCategory, Readonly<Record<PenaltyContext, Penalty>>>
> = Object.freeze({
  // Consensus-invalid block data is the sender's fault whoever mined it: it could have checked.
  header: { block: "discourage", tx: "discourage" },
  block: { block: "discourage", tx: "discourage" },
  pot: { block: "discourage", tx: "discourage" },
  // Inside a block a bad transaction makes the block invalid for good. A loose transaction is
  // judged against this node's tip and mempool (inputs, heights, timelocks), which an honest
  // peer on another tip or a little behind may not share: dropped, not punished.
  tx: { block: "discourage", tx: "none" },
  // Too far ahead of our clock: ours may be the wrong one; retried once it catches up.
  "time-future": { block: "none", tx: "none" },
  // Local mempool policy is no rule the peer broke.
  policy: { block: "none", tx: "none" },
});

/**
 * The penalty for a peer whose data was rejected for `reason`.
 *
 * @example
 * ```ts
 * import { penaltyFor } from "./penalty.ts";
 * console.log(penaltyFor("bad-txnmrklroot", "block")); // "discourage"
 * console.log(penaltyFor("time-too-new", "block")); // "none"
 * ```
 */
export function penaltyFor(reason: RejectReason, context: PenaltyContext): Penalty {
  return PENALTIES[reasonCategory(reason)][context];
}
