/**
 * The chain watcher (PROTOCOL.md §9.10): follows the active chain for every channel in the
 * channel store, notices the block that spends a channel's funding output, tells what the spend
 * was, and claims what is ours:
 *
 * - our own latest commitment (we force-closed): the to_owner output, once it is `toSelfDelaySecs`
 *   old (the mempool checks `older()` against the tip's MTP), and its HTLC outputs (below);
 * - the remote's current (or previous, unrevoked) commitment: our to_other output, one second of
 *   MTP after it confirms (`older(1)`), and its HTLC outputs;
 * - HTLC outputs of either (htlc_claims.ts): each HTLC we offered by its timeout path once the
 *   tip's MTP reaches its expiry (and, on our commitment, the output is `toSelfDelaySecs` old);
 *   each HTLC offered to us whose preimage we know (`preimageOf`, or read from the chain since the
 *   watcher started: a forwarded payment's preimage revealed downstream) by its success path. A spend of
 *   an HTLC output we offered is reported (`onHtlcResolved`) before the block counts as
 *   processed: with the preimage its witness reveals (the peer's success path), or without (our
 *   timeout claim confirmed), so the node settles the payment or the forward it came from;
 * - a REVOKED remote commitment (its number, read from the sequence and locktime, is one whose
 *   secret the remote revealed): the penalty, at once, taking to_owner and every recognised HTLC
 *   output with the revocation key, and our to_other with it once that is one second old;
 * - a remote commitment we cannot place (a channel restored from a static backup): our to_other;
 * - a funding refresh: the channel lives on; its new funding output is watched;
 * - anything else (a cooperative close): the channel is closed, nothing to claim.
 *
 * Each spend is noted in the store with its block, in the same synced batch as the last block
 * the watcher has processed. Every run (at start, at each tip change, on `rescan`) brings the notes
 * up to the tip from there, whatever happened in between: notes whose block left the active chain
 * are dropped (a claim already in the mempool then conflicts or fails there, which is harmless),
 * and every block after the last processed one is scanned — from the fork point when that block
 * itself left the active chain, and from the funding height of a channel, seen for the first time,
 * whose funding output is already spent. So a breach published while the node was off, or during a
 * run that failed, is still punished. Claims are rebuilt from the notes on every run and submitted
 * while their outputs are unspent and not already spent in the mempool, so a claim lost from the
 * mempool is submitted again.
 *
 * @module
 */
import type { ChainEntry, UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { outpointKey } from "../../core/consensus/chain_entry.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { contractAddress, MIN_CONTRACT_AGE_SECS } from "../../core/lightning/channel_policies.ts";
import {
  buildClaimTxAtFeeRate,
  type ClaimInput,
  penaltyClaims,
  toOtherClaim,
  toOwnerClaim,
} from "../../core/lightning/commitment_claims.ts";
import {
  derivePrivateKey,
  deriveRevocationPrivateKey,
  ed25519KeyOfPoint,
  perCommitmentPoint,
} from "../../core/lightning/commitment_keys.ts";
import type { HtlcSpec } from "../../core/lightning/commitment_spec.ts";
import { matchCommitment } from "../../core/lightning/commitment_match.ts";
import {
  commitmentNumberOf,
  fundingOutput,
  MAX_COMMITMENT_NUMBER,
} from "../../core/lightning/commitment_tx.ts";
import { FIRST_COMMITMENT_INDEX, ShachainStore } from "../../core/lightning/shachain.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import type { Block } from "../../core/primitives/block.ts";
import { and, older, pk } from "../../core/primitives/policy.ts";
import type { OutPoint, Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import type { ChannelSecrets } from "./channel_keys.ts";
import { htlcClaims, offeredHtlcSpends } from "./htlc_claims.ts";
import type { ChannelRecord } from "./channel_record.ts";
import type { ChannelStore } from "./channel_store.ts";
import {
  decodeWatchNotes,
  encodeWatchNotes,
  type FundingSpend,
  type SpendKind,
} from "./watch_note.ts";

/** The chain as the watcher reads it (Chainstate implements it). */
export interface WatcherChain {
  readonly params: NetworkParams;
  tip(): ChainEntry;
  getEntryByHeight(height: number): ChainEntry | undefined;
  getEntry(hash: Uint8Array): ChainEntry | undefined;
  getBlock(hash: Uint8Array): Promise<Block | undefined>;
  isActive(hash: Uint8Array): boolean;
  getUtxo(op: OutPoint): Promise<UtxoEntry | undefined>;
  onTipChange(
    listener: (change: {
      readonly tip: ChainEntry;
      readonly disconnected: readonly { readonly entry: ChainEntry; readonly block: Block }[];
      readonly connected: readonly { readonly entry: ChainEntry; readonly block: Block }[];
    }) => void,
  ): () => void;
}

/** The mempool as the watcher uses it (Mempool implements it). */
export interface WatcherMempool {
  acceptTx(tx: Tx): Promise<unknown>;
  spenderOf(op: OutPoint): string | undefined;
}

/** What the watcher is built from. */
export interface ChainWatcherDeps {
  readonly chain: WatcherChain;
  readonly mempool: WatcherMempool;
  readonly store: ChannelStore;
  /**
   * Our keys: channel secrets by the records' key index (a `ChannelKeyRing`, or the node's
   * bridge, which serves the Lightning service's own channel secrets by channel id).
   */
  readonly keys: WatcherKeys;
  /** Where claimed funds go: called once per claim transaction (a fresh wallet address). */
  readonly sweepAddress: () => AddressData;
  /** Log sink. */
  readonly logger: { log(message: string): void };
  /** Fee rate of sweeps, resonances per byte (default 2 × the relay floor). */
  readonly sweepFeePerByte?: bigint;
  /** Fee rate of penalties (default 10 × the relay floor, at least the sweep rate). */
  readonly penaltyFeePerByte?: bigint;
  /**
   * Whether the watcher sweeps our to_owner output after OUR force close (default true). The
   * node sets false: its Lightning service sweeps that output itself (and records the sweep), so
   * each claim has one owner.
   */
  readonly claimOwnCommitment?: boolean;
  /** The preimage of a payment hash, when the node knows it (its invoices); default none. */
  readonly preimageOf?: (paymentHash: Uint8Array) => Uint8Array | undefined;
  /**
   * Called for every spend, in a block of the active chain, of an HTLC output we offered on a
   * published commitment (see the module doc); awaited before the block counts as processed, so
   * it may be called again for the same spend after a restart or a reorganisation.
   */
  readonly onHtlcResolved?: (resolved: HtlcResolution) => Promise<void>;
}

/** An HTLC we offered, resolved on chain. */
export interface HtlcResolution {
  readonly channelId: Uint8Array;
  readonly htlc: HtlcSpec;
  /** Revealed by the peer's success claim; undefined when our timeout claim took the output. */
  readonly preimage: Uint8Array | undefined;
  /** The spending transaction's txid. */
  readonly txid: Uint8Array;
}

/** Where the watcher gets our secrets of a watched channel. */
export interface WatcherKeys {
  /** Our secrets of the channel `channelId`, whose record has key index `index`. */
  channelSecrets(index: number, channelId: Uint8Array): ChannelSecrets;
}

/** One output to claim and the age (MTP seconds) it must reach first. */
interface PlannedClaim {
  readonly input: ClaimInput;
  readonly minAgeSecs: number;
  /** The tip's MTP must reach this first (an HTLC's `after(expiry)`; 0 when none). */
  readonly notBeforeMtpSecs?: number;
  /** What the claim is, for the log (HTLC claims). */
  readonly what?: string;
  readonly penalty: boolean;
}

/** Follows the chain for the channels of a store and claims what is ours (see the module doc). */
export class ChainWatcher {
  readonly #deps: ChainWatcherDeps;
  readonly #magic: Uint8Array;
  readonly #sweepRate: bigint;
  readonly #penaltyRate: bigint;
  #queue: Promise<void> = Promise.resolve();
  #unsubscribe: (() => void) | undefined;
  #stopped = false;
  /** Channels already checked for a funding spend from before they were watched. */
  readonly #seen = new Set<string>();
  /** Txids of noted commitments (scanning each block for their HTLC outputs' spends). */
  readonly #txids = new WeakMap<Tx, Uint8Array>();
  /** Preimages read from the peers' success claims since start, by payment hash (hex). */
  readonly #learned = new Map<string, Uint8Array>();

  private constructor(deps: ChainWatcherDeps) {
    this.#deps = deps;
    this.#magic = deps.chain.params.magic;
    const floor = deps.chain.params.minRelayFeePerByte;
    this.#sweepRate = deps.sweepFeePerByte ?? 2n * floor;
    const penalty = deps.penaltyFeePerByte ?? 10n * floor;
    this.#penaltyRate = penalty > this.#sweepRate ? penalty : this.#sweepRate;
  }

  /**
   * Starts watching: drops notes of blocks no longer active, rescans the blocks since the last
   * processed one (and from the funding height of any channel whose funding output is spent but
   * not noted), claims what is claimable, then follows tip changes.
   */
  static async start(deps: ChainWatcherDeps): Promise<ChainWatcher> {
    const w = new ChainWatcher(deps);
    await w.#run(() => w.#sync(true));
    w.#unsubscribe = deps.chain.onTipChange(() => {
      // Failures are logged by #run; the listener must not leave a rejected promise behind.
      w.#run(() => w.#sync(false)).catch(() => {});
    });
    return w;
  }

  /** Rescans the active chain from `fromHeight` (for a channel added after its funding was spent). */
  rescan(fromHeight: number): Promise<void> {
    return this.#run(() => this.#sync(false, fromHeight));
  }

  /** Resolves when every tip change seen so far has been handled. */
  settled(): Promise<void> {
    return this.#queue;
  }

  /** Stops following the chain and waits for the work under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    await this.#queue;
  }

  #run(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => this.#stopped ? undefined : job());
    this.#queue = run.catch((e) => {
      this.#deps.logger.log(`warning: ln watcher: ${(e as Error).message}`);
    });
    return run;
  }

  /**
   * Brings the notes up to the active tip, whatever happened since the last run (one block, a
   * reorganisation, a restart, a failed run): drops notes whose block is no longer active, scans
   * every block after the last one processed (from the fork point when that block left the active
   * chain; from the funding height of a channel seen for the first time whose funding output is
   * already spent; from `fromHeight` when asked), saves the notes with the tip in one batch, then
   * submits what is claimable. Scanning a block twice notes nothing twice: a noted spend moves the
   * watched outpoint on.
   */
  async #sync(starting: boolean, fromHeight?: number): Promise<void> {
    const { chain, store } = this.#deps;
    const tip = chain.tip();
    const records = await store.channels((e) => this.#log(`warning: ${e.message}`));
    const spendsOf = new Map<string, FundingSpend[]>();
    const changed = new Set<string>();
    let from = fromHeight ?? Number.MAX_SAFE_INTEGER;
    for (const r of records) {
      const id = toHex(r.channelId);
      const spends = await this.#spends(r.channelId);
      const kept = spends.filter((s) => chain.isActive(s.blockHash));
      for (const s of spends.filter((s) => !kept.includes(s))) {
        from = Math.min(from, s.height);
        this.#log(
          `channel ${short(r.channelId)}: the funding spend in block ${s.height} left the ` +
            "active chain; watching the funding output again",
        );
      }
      if (kept.length !== spends.length) changed.add(id);
      spendsOf.set(id, kept);
    }
    const last = await store.watchTip();
    const next = last === undefined ? tip.height + 1 : this.#forkHeight(last) + 1;
    from = Math.min(from, next);
    for (const r of records) {
      const id = toHex(r.channelId);
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      const watched = watchedOutpoint(r, spendsOf.get(id)!, this.#magic);
      if (watched && r.fundingHeight <= tip.height && !(await chain.getUtxo(watched))) {
        from = Math.min(from, r.fundingHeight);
      }
    }
    if (starting) {
      this.#log(
        `watching ${records.length} channel(s) at height ${tip.height}` +
          (from <= tip.height ? `, rescanning from height ${from}` : ""),
      );
    } else if (from < next) this.#log(`rescanning from height ${from}`);
    for (let h = Math.max(0, from); h <= tip.height; h++) {
      const entry = chain.getEntryByHeight(h);
      if (!entry) break;
      const block = await chain.getBlock(entry.hash);
      if (!block) throw new Error(`Block at height ${h} is missing from the store`);
      await this.#scanBlock(records, spendsOf, changed, entry, block);
    }
    const notes = records
      .filter((r) => changed.has(toHex(r.channelId)))
      .map((r) => noteOf(r.channelId, spendsOf.get(toHex(r.channelId))!));
    await store.saveWatch(notes, tipOf(tip));
    for (const r of records) {
      // One channel's failure (its keys unavailable, say) must not hold back the others' claims.
      await this.#claim(r, spendsOf.get(toHex(r.channelId))!, tip).catch((e) =>
        this.#log(`warning: channel ${short(r.channelId)}: claims failed: ${(e as Error).message}`)
      );
    }
  }

  /** Notes every spend of a watched funding outpoint in `block`. */
  async #scanBlock(
    records: readonly ChannelRecord[],
    spendsOf: Map<string, FundingSpend[]>,
    changed: Set<string>,
    entry: ChainEntry,
    block: Block,
  ): Promise<void> {
    for (const tx of block.txs) {
      for (const input of tx.inputs) {
        for (const r of records) {
          const id = toHex(r.channelId);
          const spends = spendsOf.get(id)!;
          const watched = watchedOutpoint(r, spends, this.#magic);
          if (!watched || outpointKey(watched) !== outpointKey(input.prevout)) continue;
          const spend = await this.#classify(r, tx, entry);
          spendsOf.set(id, [...spends, spend]);
          changed.add(id);
          this.#logSpend(r, spend);
        }
      }
      for (const r of records) await this.#scanHtlcSpends(r, spendsOf.get(toHex(r.channelId))!, tx);
    }
  }

  /** Reports the spends in `tx` of HTLC outputs we offered on `r`'s published commitment. */
  async #scanHtlcSpends(r: ChannelRecord, spends: readonly FundingSpend[], tx: Tx): Promise<void> {
    const last = spends[spends.length - 1];
    if (!last || last.kind !== "local-commitment" && last.kind !== "remote-commitment") return;
    let id = this.#txids.get(last.tx);
    if (!id) this.#txids.set(last.tx, id = txid(this.#magic, last.tx));
    if (!tx.inputs.some((i) => bytesEqual(i.prevout.txid, id))) return;
    const published = this.#published(r, last);
    if (!published) return;
    const spendTxid = txid(this.#magic, tx);
    for (const s of offeredHtlcSpends(published.commitment, tx)) {
      if (s.preimage) this.#learned.set(toHex(s.htlc.paymentHash), s.preimage);
      this.#log(
        `channel ${short(r.channelId)}: HTLC ${s.htlc.id} (${s.htlc.amountMres} mres) ` +
          (s.preimage
            ? `taken by the peer with its preimage in ${toHex(spendTxid)}: the payment went through`
            : `timed out on chain in ${toHex(spendTxid)}: the payment failed`),
      );
      await this.#deps.onHtlcResolved?.({
        channelId: r.channelId,
        htlc: s.htlc,
        preimage: s.preimage,
        txid: spendTxid,
      });
    }
  }

  /**
   * The commitment `spend` published, as built from the record (ours or the peer's unrevoked
   * one), with its owner and the owner's per-commitment point; undefined for any other spend.
   */
  #published(r: ChannelRecord, spend: FundingSpend) {
    let owner: "local" | "remote", point: Uint8Array, htlcs: readonly HtlcSpec[];
    if (spend.kind === "local-commitment" && r.localCommit) {
      [owner, point, htlcs] = ["local", r.localCommit.point, r.localCommit.spec.htlcs];
    } else if (spend.kind === "remote-commitment") {
      const c = r.remoteCommits.find((c) => c.spec.commitmentNumber === spend.commitmentNumber);
      if (!c) return undefined;
      [owner, point, htlcs] = ["remote", c.point, c.spec.htlcs];
    } else return undefined;
    const m = this.#match(r, spend.tx, owner, point, htlcs);
    return m && { commitment: m.commitment, owner, point };
  }

  /**
   * The height of the last block processed, or of the active-chain ancestor it forks from when
   * it left the active chain (walking its branch back through the block index).
   */
  #forkHeight(last: { height: number; hash: Uint8Array }): number {
    const { chain } = this.#deps;
    let entry = chain.getEntry(last.hash);
    while (entry && !chain.isActive(entry.hash)) entry = chain.getEntry(entry.header.prevHash);
    return entry ? entry.height : Math.max(-1, last.height - chain.params.maxReorgDepth);
  }

  /** What a spend of `r`'s funding output in `tx` is. */
  async #classify(r: ChannelRecord, tx: Tx, entry: ChainEntry): Promise<FundingSpend> {
    const at = { height: entry.height, blockHash: entry.hash, tx };
    const number = commitmentNumberFrom(r, tx);
    if (number !== undefined) {
      if (r.localCommit && r.localCommit.spec.commitmentNumber === number) {
        if (this.#match(r, tx, "local", r.localCommit.point, r.localCommit.spec.htlcs)) {
          return { kind: "local-commitment", commitmentNumber: number, ...at };
        }
      }
      for (const c of r.remoteCommits) {
        if (c.spec.commitmentNumber !== number) continue;
        if (this.#match(r, tx, "remote", c.point, c.spec.htlcs)) {
          return { kind: "remote-commitment", commitmentNumber: number, ...at };
        }
      }
      const secret = revealedSecret(r, number);
      if (secret) {
        const htlcs = await this.#deps.store.revokedHtlcs(r.channelId, number);
        if (this.#match(r, tx, "remote", perCommitmentPoint(secret), htlcs)) {
          return { kind: "revoked-commitment", commitmentNumber: number, ...at };
        }
      }
    }
    const funding = fundingOutput(r.local.fundingKey, r.remote.fundingKey, r.fundingValue);
    if (tx.outputs.length === 1 && sameAddress(tx.outputs[0]!.address, funding.output.address)) {
      return { kind: "funding-refresh", commitmentNumber: 0n, ...at };
    }
    const ours = staticToOtherAddress(r);
    if (tx.outputs.some((o) => sameAddress(o.address, ours))) {
      return { kind: "unknown-remote-commitment", commitmentNumber: number ?? 0n, ...at };
    }
    return { kind: "cooperative-close", commitmentNumber: 0n, ...at };
  }

  #match(
    r: ChannelRecord,
    tx: Tx,
    owner: "local" | "remote",
    point: Uint8Array,
    htlcs: readonly HtlcSpec[],
  ) {
    const m = matchCommitment(tx, txid(this.#magic, tx), {
      owner,
      local: r.local,
      remote: r.remote,
      fundingValue: r.fundingValue,
      ownerPerCommitmentPoint: point,
      htlcs,
    });
    return m.commitment.outputs.length > 0 ? m : undefined;
  }

  /** Submits every claim of `r` that is ready and not yet spent or pending. */
  async #claim(r: ChannelRecord, spends: readonly FundingSpend[], tip: ChainEntry): Promise<void> {
    const last = spends[spends.length - 1];
    if (!last) return;
    const planned = await this.#plan(r, last);
    const ready: PlannedClaim[] = [];
    const { chain, mempool } = this.#deps;
    for (const p of planned) {
      if (mempool.spenderOf(p.input.outpoint) !== undefined) continue;
      const utxo = await chain.getUtxo(p.input.outpoint);
      if (!utxo) continue;
      if (tip.mtpSecs - utxo.createdMtpSecs < p.minAgeSecs) continue;
      if (tip.mtpSecs < (p.notBeforeMtpSecs ?? 0)) continue;
      ready.push(p);
    }
    const penalty = ready.filter((p) => p.penalty);
    const sweep = ready.filter((p) => !p.penalty);
    if (penalty.length > 0) await this.#submit(r, penalty, this.#penaltyRate, "penalty");
    if (sweep.length > 0) await this.#submit(r, sweep, this.#sweepRate, "sweep");
  }

  /** Our claims of the HTLC outputs of the commitment `spend` published (htlc_claims.ts). */
  #planHtlcs(r: ChannelRecord, spend: FundingSpend, secrets: ChannelSecrets): PlannedClaim[] {
    const published = this.#published(r, spend);
    if (!published) return [];
    const known = this.#deps.preimageOf ?? (() => undefined);
    const preimageOf = (hash: Uint8Array) => this.#learned.get(toHex(hash)) ?? known(hash);
    return htlcClaims(
      published.commitment,
      published.owner,
      published.point,
      secrets.htlcSecret,
      preimageOf,
    ).map((c) => ({
      input: c.input,
      minAgeSecs: c.minAgeSecs,
      notBeforeMtpSecs: c.notBeforeMtpSecs,
      penalty: false,
      what: `HTLC ${c.htlc.id} ${c.path}`,
    }));
  }

  /** The claims a spend gives us (none for a close or a refresh). */
  #plan(r: ChannelRecord, spend: FundingSpend): PlannedClaim[] | Promise<PlannedClaim[]> {
    const secrets = this.#deps.keys.channelSecrets(r.keyIndex, r.channelId);
    switch (spend.kind) {
      case "local-commitment": {
        const htlcs = this.#planHtlcs(r, spend, secrets);
        if (this.#deps.claimOwnCommitment === false) return htlcs;
        const m = this.#match(
          r,
          spend.tx,
          "local",
          r.localCommit!.point,
          r.localCommit!.spec.htlcs,
        );
        if (!m || !m.commitment.outputs.some((o) => o.role === "to-owner")) return htlcs;
        const delayed = derivePrivateKey(secrets.delayedSecret, r.localCommit!.point);
        return [{
          input: toOwnerClaim(m.commitment, delayed),
          minAgeSecs: m.commitment.keys.toSelfDelaySecs,
          penalty: false,
        }, ...htlcs];
      }
      case "remote-commitment": {
        const htlcs = this.#planHtlcs(r, spend, secrets);
        const c = r.remoteCommits.find((c) => c.spec.commitmentNumber === spend.commitmentNumber);
        const m = c && this.#match(r, spend.tx, "remote", c.point, c.spec.htlcs);
        if (!m || !m.commitment.outputs.some((o) => o.role === "to-other")) return htlcs;
        return [{
          input: toOtherClaim(m.commitment, secrets.paymentSecret),
          minAgeSecs: MIN_CONTRACT_AGE_SECS,
          penalty: false,
        }, ...htlcs];
      }
      case "revoked-commitment":
        return this.#planPenalty(r, spend, secrets);
      case "unknown-remote-commitment":
        return this.#planStaticToOther(r, spend, secrets);
      default:
        return [];
    }
  }

  async #planPenalty(
    r: ChannelRecord,
    spend: FundingSpend,
    secrets: ChannelSecrets,
  ): Promise<PlannedClaim[]> {
    const secret = revealedSecret(r, spend.commitmentNumber);
    if (!secret) return [];
    const point = perCommitmentPoint(secret);
    const htlcs = await this.#deps.store.revokedHtlcs(r.channelId, spend.commitmentNumber);
    const m = this.#match(r, spend.tx, "remote", point, htlcs);
    if (!m) return [];
    const revocation = deriveRevocationPrivateKey(secrets.revocationSecret, secret);
    return penaltyClaims(m.commitment, revocation, secrets.paymentSecret).map((input, i) => ({
      input,
      minAgeSecs: m.commitment.outputs[i]!.role === "to-other" ? MIN_CONTRACT_AGE_SECS : 0,
      penalty: true,
    }));
  }

  #planStaticToOther(
    r: ChannelRecord,
    spend: FundingSpend,
    secrets: ChannelSecrets,
  ): PlannedClaim[] {
    const address = staticToOtherAddress(r);
    const policy = staticToOtherPolicy(r);
    const id = txid(this.#magic, spend.tx);
    return spend.tx.outputs.flatMap((output, vout) =>
      sameAddress(output.address, address)
        ? [{
          input: {
            outpoint: { txid: id, vout },
            output,
            policy,
            scalars: [secrets.paymentSecret],
            preimages: [],
          },
          minAgeSecs: MIN_CONTRACT_AGE_SECS,
          penalty: false,
        }]
        : []
    );
  }

  async #submit(
    r: ChannelRecord,
    claims: readonly PlannedClaim[],
    feePerByte: bigint,
    what: "penalty" | "sweep",
  ): Promise<void> {
    const inputs = claims.map((c) => c.input);
    const total = inputs.reduce((s, i) => s + i.output.value, 0n);
    let tx: Tx;
    try {
      tx = buildClaimTxAtFeeRate(this.#magic, inputs, this.#deps.sweepAddress(), feePerByte);
    } catch (e) {
      this.#log(
        `warning: channel ${short(r.channelId)}: ${what} of ${total} resonances not built: ${
          (e as Error).message
        }`,
      );
      return;
    }
    const id = toHex(txid(this.#magic, tx));
    try {
      await this.#deps.mempool.acceptTx(tx);
    } catch (e) {
      this.#log(
        `warning: channel ${short(r.channelId)}: ${what} ${id} refused by the mempool: ${
          (e as Error).message
        }`,
      );
      return;
    }
    const htlcs = claims.flatMap((c) => c.what ? [c.what] : []);
    this.#log(
      `channel ${short(r.channelId)}: ${what} ${id} submitted, claiming ${inputs.length} ` +
        `output(s) of ${total} resonances for ${total - tx.outputs[0]!.value} in fees` +
        (htlcs.length > 0 ? ` (${htlcs.join(", ")})` : ""),
    );
  }

  async #spends(channelId: Uint8Array): Promise<FundingSpend[]> {
    const bytes = await this.#deps.store.getWatchNote(channelId);
    return bytes === undefined ? [] : decodeWatchNotes(bytes);
  }

  #logSpend(r: ChannelRecord, s: FundingSpend): void {
    const words: Record<SpendKind, string> = {
      "local-commitment": `our commitment ${s.commitmentNumber} (force close): to_owner is ` +
        `claimable ${r.remote.toSelfDelaySecs} s of MTP after it`,
      "remote-commitment": `the peer's commitment ${s.commitmentNumber}: claiming our to_other`,
      "revoked-commitment": `the peer's REVOKED commitment ${s.commitmentNumber} (breach): ` +
        "submitting the penalty",
      "unknown-remote-commitment": "a peer commitment not in our records: claiming our to_other",
      "cooperative-close": "a cooperative close: the channel is closed",
      "funding-refresh": "a funding refresh: watching the new funding output",
    };
    this.#log(
      `channel ${short(r.channelId)}: funding output spent by ${
        toHex(txid(this.#magic, s.tx))
      } in block ${s.height}, ${words[s.kind]}`,
    );
  }

  #log(message: string): void {
    this.#deps.logger.log(message.startsWith("warning: ") ? message : `ln watcher: ${message}`);
  }
}

/** The outpoint the channel's funding sits in now: the record's, moved by each noted refresh. */
function watchedOutpoint(
  r: ChannelRecord,
  spends: readonly FundingSpend[],
  magic: Uint8Array,
): OutPoint | undefined {
  let current: OutPoint | undefined = r.fundingOutpoint;
  for (const s of spends) {
    if (!current) break;
    if (!s.tx.inputs.some((i) => outpointKey(i.prevout) === outpointKey(current!))) continue;
    current = s.kind === "funding-refresh" ? { txid: txid(magic, s.tx), vout: 0 } : undefined;
  }
  return current;
}

function commitmentNumberFrom(r: ChannelRecord, tx: Tx): bigint | undefined {
  if (tx.inputs.length !== 1 || tx.locktime >= 2 ** 16) return undefined;
  const [funder, fundee] = r.funder === "local" ? [r.local, r.remote] : [r.remote, r.local];
  const n = commitmentNumberOf(tx, funder.paymentBasepoint, fundee.paymentBasepoint);
  return n <= MAX_COMMITMENT_NUMBER ? n : undefined;
}

/** The remote's revealed secret of commitment `number`, or undefined. */
function revealedSecret(r: ChannelRecord, number: bigint): Uint8Array | undefined {
  if (number > MAX_COMMITMENT_NUMBER) return undefined;
  const store = ShachainStore.decode(r.remoteSecrets);
  const index = FIRST_COMMITMENT_INDEX - Number(number);
  return store.has(index) ? store.secretAt(index) : undefined;
}

/** to_other of any remote commitment pays our untweaked payment key (§9.7): one address. */
function staticToOtherPolicy(r: ChannelRecord) {
  return and(pk(ed25519KeyOfPoint(r.local.paymentBasepoint)), older(MIN_CONTRACT_AGE_SECS));
}

function staticToOtherAddress(r: ChannelRecord): AddressData {
  return contractAddress(staticToOtherPolicy(r));
}

function sameAddress(a: AddressData, b: AddressData): boolean {
  return a.kind === b.kind && bytesEqual(a.hash, b.hash);
}

function noteOf(channelId: Uint8Array, spends: readonly FundingSpend[]) {
  return { channelId, note: spends.length === 0 ? null : encodeWatchNotes(spends) };
}

function tipOf(entry: ChainEntry) {
  return { height: entry.height, hash: entry.hash };
}

function short(channelId: Uint8Array): string {
  return toHex(channelId).slice(0, 16);
}
