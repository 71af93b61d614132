/**
 * Stage 3 for a whole block: every transaction against the UTXO view (PROTOCOL §5.6–§5.8),
 * btcd's `checkConnectBlock`. Pure: reads the view, returns what to spend and create.
 *
 * @module
 */
import type { Block } from "../primitives/block.ts";
import type { Tx } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import type { VerifyItem } from "../crypto/ed25519.ts";
import { type ChainEntry, outpointKey, type UtxoEntry, type UtxoView } from "./chain_entry.ts";
import { checkSocialCovenant } from "./check_recovery.ts";
import { checkTxInputs, type TxInputsResult, verifySignatureChecks } from "./check_tx_inputs.ts";
import type { SignatureVerifier } from "../crypto/signature_verifier.ts";
import { checkTxSanity } from "./check_tx_sanity.ts";
import { blockReward } from "./emission.ts";
import { headerProgressPpm } from "./growth.ts";
import { MAX_SUPPLY_RESONANCES, type NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";

/** What {@linkcode connectBlockTransactions} needs besides the block and view. */
export interface ConnectContext {
  /** Network params. */
  readonly params: NetworkParams;
  /** The block's parent (already connected). */
  readonly parent: ChainEntry;
  /** Local clock, seconds (unused by today's rules; kept for a stable signature). */
  readonly nowSecs: number;
  /**
   * Verifies the block's signature batch (default: in this thread). The node injects a worker
   * pool for blocks with many signatures; the result is the same strict Ed25519 either way.
   */
  readonly verifier?: SignatureVerifier;
}

/** The effect of a valid block on the UTXO set and the supply. */
export interface ConnectResult {
  /** Outputs from the view the block spends (undo data), in spend order. */
  readonly spent: [string, UtxoEntry][];
  /** Outputs the block creates and does not itself spend, in block order. */
  readonly created: [string, UtxoEntry][];
  /** Σ fees of non-coinbase transactions. */
  readonly feesResonances: bigint;
  /** The reward the coinbase was allowed (fees excluded). */
  readonly rewardResonances: bigint;
  /** New resonances: max(0, coinbase outputs − fees). */
  readonly mintedResonances: bigint;
  /** Resonances returned to the emission pool: sweeps + fees the coinbase left unclaimed. */
  readonly returnedResonances: bigint;
}

/** The coinbase pays at most reward + fees ("bad-cb-amount"). */
export function checkCoinbaseAmount(
  coinbaseOutResonances: bigint,
  rewardResonances: bigint,
  feesResonances: bigint,
): void {
  if (coinbaseOutResonances > rewardResonances + feesResonances) {
    reject(
      "bad-cb-amount",
      `coinbase pays ${coinbaseOutResonances} > reward ${rewardResonances} + fees ${feesResonances}`,
    );
  }
}

/** Circulating supply (minted − returned) after the block stays ≤ 21M ("supply-cap"). */
export function checkSupplyCap(
  parent: ChainEntry,
  mintedResonances: bigint,
  returnedResonances: bigint,
): void {
  const after = parent.mintedResonances + mintedResonances - parent.returnedResonances -
    returnedResonances;
  if (after > MAX_SUPPLY_RESONANCES) reject("supply-cap", `supply would be ${after}`);
}

/** The UTXO view seen by transaction i: the base view plus earlier transactions' effects. */
class BlockOverlay implements UtxoView {
  readonly created = new Map<string, UtxoEntry>();
  readonly spentFromBase: [string, UtxoEntry][] = [];
  readonly #spent = new Set<string>();
  readonly #base: UtxoView;
  constructor(base: UtxoView) {
    this.#base = base;
  }
  get(key: string): UtxoEntry | undefined {
    if (this.#spent.has(key)) return undefined;
    return this.created.get(key) ?? this.#base.get(key);
  }
  spend(key: string, entry: UtxoEntry): void {
    if (this.created.has(key)) this.created.delete(key);
    else this.spentFromBase.push([key, entry]);
    this.#spent.add(key);
  }
  add(magic: Uint8Array, tx: Tx, make: (value: bigint) => Omit<UtxoEntry, "value" | "address">) {
    const id = txid(magic, tx);
    for (const [vout, out] of tx.outputs.entries()) {
      this.created.set(outpointKey({ txid: id, vout }), {
        value: out.value,
        address: out.address,
        ...make(out.value),
      });
    }
  }
}

/**
 * Checks every transaction of `block` against `view` (which must hold every output the block
 * spends that it does not create itself) and returns the block's effect. Transactions may spend
 * outputs of earlier transactions in the same block; a second spend of any output is
 * "bad-txns-inputs-missingorspent". All signatures of the block are batch-verified last.
 * Assumes {@linkcode checkBlockSanity} passed (it re-checks each transaction's sanity anyway).
 *
 * @example Not run as a doc test: it needs a chain (parameters, parent entry, UTXO view); the tests beside it build one.
 * ```ts ignore
 * const result = await connectBlockTransactions(block, view, { params, parent, nowSecs });
 * ```
 */
export async function connectBlockTransactions(
  block: Block,
  view: UtxoView,
  ctx: ConnectContext,
): Promise<ConnectResult> {
  const { params, parent } = ctx;
  const height = parent.height + 1;
  const createdMtpSecs = parent.mtpSecs;
  const overlay = new BlockOverlay(view);
  const checks: VerifyItem[] = [];
  const coinbase = block.txs[0]!;
  const cbOut = checkTxSanity(coinbase, params);
  checkSocialCovenant(coinbase, null);
  overlay.add(params.magic, coinbase, () => ({ height, coinbase: true, createdMtpSecs }));
  let fees = 0n;
  let returned = 0n;
  for (const [i, tx] of block.txs.entries()) {
    if (i === 0) continue;
    checkTxSanity(tx, params);
    let res: TxInputsResult;
    try {
      res = checkTxInputs(tx, overlay, { params, parent });
    } catch (e) {
      if (e instanceof Error) e.message += ` (transaction ${i})`;
      throw e;
    }
    for (const [key, entry] of res.spent) overlay.spend(key, entry);
    fees += res.feeResonances;
    returned += res.returnedResonances;
    checks.push(...res.signatureChecks);
    if (!res.isSweep) {
      const pendingOwnerHash = res.pendingOwnerHash;
      overlay.add(params.magic, tx, () => ({
        height,
        coinbase: false,
        createdMtpSecs,
        ...(pendingOwnerHash ? { pendingOwnerHash } : {}),
      }));
    }
  }
  const reward = blockReward(params, parent, headerProgressPpm(block.header));
  checkCoinbaseAmount(cbOut, reward, fees);
  const minted = cbOut > fees ? cbOut - fees : 0n;
  returned += cbOut < fees ? fees - cbOut : 0n;
  checkSupplyCap(parent, minted, returned);
  await verifySignatureChecks(checks, ctx.verifier);
  return {
    spent: overlay.spentFromBase,
    created: [...overlay.created.entries()],
    feesResonances: fees,
    rewardResonances: reward,
    mintedResonances: minted,
    returnedResonances: returned,
  };
}
