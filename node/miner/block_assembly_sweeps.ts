/**
 * Emission-return sweeps in block templates (PROTOCOL §5.8): every template the node builds
 * (regtest `generatetoaddress`, `rnt node --mine`, `getminingtemplate` for `rnt mine`) starts
 * with one sweep transaction returning the oldest sweepable outputs to the emission pool, then
 * the mempool's transactions in the space left.
 *
 * Which outputs: the consensus rule (`parent MTP − createdMtpSecs ≥ emissionReturnAgeSecs`)
 * and, as miner policy, the same age counted from the MTP of the block that created the output
 * (never earlier than `createdMtpSecs`, the MTP of that block's parent). The policy only differs
 * for outputs of the first blocks after a genesis whose timestamp lies long before them (regtest:
 * block 1's coinbase would otherwise be "older than an hour" as soon as it is mined). Both ages
 * grow with the creating height, so the coins are read from the chainstate's coin-age index by
 * height, oldest first, and never from a scan of the whole UTXO set.
 *
 * @module
 */
import type { ChainEntry, UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { isMature } from "../../core/consensus/coinbase_maturity.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { type AddressData, RecoveryKind } from "../../core/primitives/address.ts";
import { type OutPoint, type Tx, txSize } from "../../core/primitives/tx.ts";
import { BLOCK_OVERHEAD_BYTES } from "./block_assembly.ts";

/**
 * Most outputs one block sweeps. One input encodes to about 41 bytes, so a full sweep is about
 * 20 kB: far below `maxTxBytes` (one transaction holds them all) and 2 % of a 1 MB block, so
 * sweeps never push a block past its size limit nor crowd out paying transactions; a backlog
 * of old outputs drains over several blocks instead.
 */
export const MAX_SWEEP_INPUTS_PER_BLOCK = 500;

/**
 * Where a sweep's single zero-value output points. It creates no UTXO, so the address only has
 * to be of a known kind; all zeros marks it as nobody's.
 */
export const SWEEP_OUTPUT_ADDRESS: AddressData = Object.freeze({
  kind: RecoveryKind.heartbeat,
  hash: new Uint8Array(32),
});

/** What sweep selection reads from the chainstate (Chainstate implements it). */
export interface SweepChain {
  /** The active chain's entry at `height`. */
  getEntryByHeight(height: number): ChainEntry | undefined;
  /** Unspent outputs created at heights ≤ `maxHeight`, lowest first, at most `limit`. */
  oldestUtxos(maxHeight: number, limit: number): Promise<[OutPoint, UtxoEntry][]>;
}

/** A sweep chosen for a template: the transaction and what it returns. */
export interface SelectedSweep {
  /** The sweep transaction (no witnesses, one zero-value output). */
  readonly tx: Tx;
  /** The outputs it spends with their entries, oldest first. */
  readonly inputs: readonly (readonly [OutPoint, UtxoEntry])[];
  /** Σ input values: what goes back to the emission pool. */
  readonly returnedResonances: bigint;
}

/**
 * The highest active-chain height whose outputs are all sweepable in a child of `parent` by
 * the miner policy (that block's MTP at least `emissionReturnAgeSecs` before the parent's);
 * −1 when none. Binary search: MTP never decreases along a chain.
 */
export function sweepableHeight(
  chain: Pick<SweepChain, "getEntryByHeight">,
  parent: ChainEntry,
  params: NetworkParams,
): number {
  const cutoff = parent.mtpSecs - params.emissionReturnAgeSecs;
  let lo = -1, hi = parent.height;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    const e = chain.getEntryByHeight(mid);
    if (e && e.mtpSecs <= cutoff) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The sweep of `inputs` (consensus shape: no witnesses, one output of value 0). */
export function emissionSweepTx(inputs: readonly OutPoint[]): Tx {
  return {
    version: 1,
    inputs: inputs.map((prevout) => ({ prevout, sequence: 0 })),
    outputs: [{ value: 0n, address: SWEEP_OUTPUT_ADDRESS }],
    locktime: 0,
    witnesses: [],
  };
}

/**
 * The sweep for a child of `parent` (which must be `chain`'s tip): up to `maxInputs` of the
 * oldest outputs old enough by consensus and by the miner policy (coinbase outputs only once
 * mature: maturity binds sweeps too), skipping those `isSpent`
 * (spent by a mempool transaction the template may include); null when there are none.
 */
export async function selectEmissionSweep(
  chain: SweepChain,
  parent: ChainEntry,
  params: NetworkParams,
  opts: { isSpent?: (op: OutPoint) => boolean; maxInputs?: number } = {},
): Promise<SelectedSweep | null> {
  const max = opts.maxInputs ?? MAX_SWEEP_INPUTS_PER_BLOCK;
  const maxHeight = sweepableHeight(chain, parent, params);
  if (max <= 0 || maxHeight < 1) return null;
  // Read a little more than needed so that coins the mempool spends do not shorten the sweep.
  const coins = await chain.oldestUtxos(maxHeight, 2 * max);
  const spendHeight = parent.height + 1;
  const inputs = coins.filter(([op, e]) =>
    parent.mtpSecs - e.createdMtpSecs >= params.emissionReturnAgeSecs &&
    isMature(e, spendHeight, params) && !opts.isSpent?.(op)
  ).slice(0, max);
  while (
    inputs.length > 0 && txSize(emissionSweepTx(inputs.map(([op]) => op))) > params.maxTxBytes
  ) {
    inputs.length = Math.floor(inputs.length / 2);
  }
  if (inputs.length === 0) return null;
  return {
    tx: emissionSweepTx(inputs.map(([op]) => op)),
    inputs,
    returnedResonances: inputs.reduce((s, [, e]) => s + e.value, 0n),
  };
}

/** What a node offers a block template (Node implements it). */
export interface TemplateNode {
  readonly params: NetworkParams;
  readonly chainstate: SweepChain & { tip(): ChainEntry };
  readonly mempool: {
    getTemplateTxs(maxBytes: number): Tx[];
    spenderOf(op: OutPoint): string | undefined;
  };
}

/**
 * The transactions of a template on `parent` (default: the tip; the UTXO set and mempool read
 * are the tip's, as for any template): the emission-return sweep first (when any output is old
 * enough), then mempool transactions within the block's remaining byte budget.
 */
export async function blockTemplateTxs(
  node: TemplateNode,
  parent: ChainEntry = node.chainstate.tip(),
): Promise<Tx[]> {
  const sweep = await selectEmissionSweep(node.chainstate, parent, node.params, {
    isSpent: (op) => node.mempool.spenderOf(op) !== undefined,
  });
  const budget = node.params.maxBlockBytes - BLOCK_OVERHEAD_BYTES -
    (sweep ? txSize(sweep.tx) : 0);
  const txs = node.mempool.getTemplateTxs(budget);
  return sweep ? [sweep.tx, ...txs] : txs;
}
