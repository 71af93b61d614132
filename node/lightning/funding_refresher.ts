/**
 * The channel heartbeat in the running node (PROTOCOL §9.7 "Heartbeat of a channel"): on each
 * new tip, every open channel's funding-output age (tip MTP − `createdMtpSecs`, the §5.8 sweep
 * rule's quantity) is compared with `emissionReturnAgeSecs`. From half of it the funder proposes
 * a funding refresh (`refresh_propose` → `refresh_accept` → `refresh_complete`, then either side
 * broadcasts the refresh); once the refresh confirms both sides move the channel to the new
 * outpoint with the commitments re-signed on it (core/lightning/funding_refresh.ts). A channel
 * whose funding output reaches three quarters of the age unrefreshed is force closed.
 *
 * Rules it keeps, as the rest of the Lightning service:
 * - each step is stored (refresh_files.ts, atomic + fsync) before the message that depends on it
 *   is sent; the channel record moves to the new outpoint only once the refresh is as deep as
 *   the channel's funding had to be (`minimumDepth`);
 * - a refresh starts only on a channel without HTLCs or updates in flight, and from the proposal
 *   on the channel takes no update (it is frozen: payments, forwards and closes avoid it), so the
 *   commitments re-signed on the new outpoint stay the latest ones; a funder whose proposal is
 *   crossed by a peer's update drops it (it gave no refresh signature yet) and proposes again;
 * - messages are resent on each block until the refresh confirms (after a restart too).
 *
 * It runs inside the service's one queue (its caller's); the host gives it the service's own
 * save, send and force close.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { UtxoEntry } from "../../core/consensus/chain_entry.ts";
import type { OutPoint, Tx } from "../../core/primitives/tx.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import {
  checkRefreshSignatures,
  type FundingRefreshPlan,
  planFundingRefresh,
  refreshDeadlineAgeSecs,
  refreshDue,
  refreshedChannel,
  refreshFeeResonances,
  type RefreshKeys,
  refreshReady,
  refreshStartAgeSecs,
  replanFundingRefresh,
  signedRefreshTx,
} from "../../core/lightning/funding_refresh.ts";
import type { RefreshMessage } from "../../core/lightning/refresh_messages.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { quiescent } from "./channel_transactions.ts";
import type { PendingRefresh, RefreshFiles } from "./refresh_files.ts";

/** What the refresher needs from the Lightning service and the node. */
export interface RefreshHost {
  readonly magic: Uint8Array;
  readonly emissionReturnAgeSecs: number;
  /** The active tip's median time past. */
  tipMtpSecs(): number;
  /** Confirmations of the transaction in the active chain (0: not in a block). */
  confirmations(txid: Uint8Array): Promise<number>;
  /** Whether the transaction waits in the mempool. */
  pooled(txid: Uint8Array): boolean;
  /** Submits `tx` to the mempool and relays it (failures are logged, not thrown). */
  submit(tx: Tx, what: string): Promise<void>;
  /** Saves the channel (fsync) and hands it to the chain watcher. */
  save(record: ChannelRecord): Promise<void>;
  /** Sends a message to the channel's peer (dropped when it is not connected). */
  send(peerId: string, message: RefreshMessage): void;
  /** Starts a force close of the channel (queued after the current step). */
  forceClose(channelId: Uint8Array, why: string): void;
  log(line: string): void;
}

/** What `ln_channels` shows of a channel's heartbeat. */
export interface HeartbeatSummary {
  /** Age of the funding output (tip MTP − its `createdMtpSecs`), when it is known. */
  readonly fundingAgeSecs?: number;
  /** Age at which a refresh starts. */
  readonly refreshAtAgeSecs: number;
  /** Age at which an unrefreshed channel is force closed. */
  readonly forceCloseAtAgeSecs: number;
  /** Whether a refresh is in progress (the channel takes no update meanwhile). */
  readonly refreshing: boolean;
}

/** Drives the funding refreshes of the service's channels. */
export class FundingRefresher {
  readonly #files: RefreshFiles;
  readonly #host: RefreshHost;
  readonly #pending = new Map<string, PendingRefresh>();
  /** `createdMtpSecs` of each channel's current funding output, as last seen. */
  readonly #createdMtp = new Map<string, number>();

  private constructor(files: RefreshFiles, host: RefreshHost) {
    this.#files = files;
    this.#host = host;
  }

  /** Loads the refreshes in progress. */
  static async load(files: RefreshFiles, host: RefreshHost): Promise<FundingRefresher> {
    const r = new FundingRefresher(files, host);
    const { refreshes, unreadable } = await files.loadAll();
    for (const line of unreadable) host.log(`cannot read stored refresh ${line}`);
    for (const p of refreshes) r.#pending.set(toHex(p.channelId), p);
    return r;
  }

  /** Whether `channelId` has a refresh in progress: it takes no update until it ends. */
  frozen(channelId: Uint8Array): boolean {
    return this.#pending.has(toHex(channelId));
  }

  /** The heartbeat as `ln_channels` shows it. */
  summary(r: ChannelRecord): HeartbeatSummary {
    const created = this.#createdMtp.get(toHex(r.channelId));
    const age = this.#host.emissionReturnAgeSecs;
    return {
      ...(created === undefined
        ? {}
        : { fundingAgeSecs: Math.max(0, this.#host.tipMtpSecs() - created) }),
      refreshAtAgeSecs: refreshStartAgeSecs(age),
      forceCloseAtAgeSecs: refreshDeadlineAgeSecs(age),
      refreshing: this.frozen(r.channelId),
    };
  }

  /** Notes the age base of `channelId`'s current funding output (for {@link summary}). */
  observe(channelId: Uint8Array, utxo: UtxoEntry): void {
    this.#createdMtp.set(toHex(channelId), utxo.createdMtpSecs);
  }

  /**
   * Before the peer's update `r` is applied: a proposal of ours it crossed is dropped (we gave
   * no refresh signature; we propose again later); once we signed the refresh the update is
   * refused (ChannelError `unexpected-message`).
   */
  async beforeUpdate(r: ChannelRecord): Promise<void> {
    const p = this.#pending.get(toHex(r.channelId));
    if (!p) return;
    if (p.signed) {
      throw new ChannelError(
        "unexpected-message",
        "a funding refresh is in progress: no update until it confirms",
      );
    }
    await this.#forget(r.channelId);
    this.#host.log(`channel ${toHex(r.channelId)}: refresh proposal dropped (the peer updated)`);
  }

  /**
   * On each new tip, for a channel in status normal with `utxo` its current funding output (or
   * undefined when spent): moves the channel once its refresh confirmed, resends or broadcasts
   * what a refresh in progress needs, starts a refresh when due (funder), force closes at the
   * deadline. True when it handled the funding output's spend (the refresh), so the caller must
   * not treat it as the peer's close.
   */
  async onTip(r: ChannelRecord, utxo: UtxoEntry | undefined): Promise<boolean> {
    const key = toHex(r.channelId);
    if (utxo) this.observe(r.channelId, utxo);
    let p = this.#pending.get(key);
    if (p && !sameOutpoint(p.fundingOutpoint, r.fundingOutpoint)) {
      await this.#forget(r.channelId); // applied before a crash removed the file
      p = undefined;
    }
    if (p) {
      const plan = this.#replan(r, p);
      if (!plan) {
        if (!p.signed) await this.#forget(r.channelId);
        else if (utxo) this.#deadline(r, utxo);
        return false;
      }
      const depth = await this.#host.confirmations(plan.newOutpoint.txid);
      if (depth > 0 && p.theirCommit) {
        // As deep as the funding had to be: a reorg must not take the outpoint we moved to.
        if (depth < Math.max(1, r.minimumDepth)) return true;
        await this.#host.save({
          ...r,
          fundingOutpoint: plan.newOutpoint,
          state: refreshedChannel(plan, p.theirCommit),
        });
        await this.#forget(r.channelId);
        this.#createdMtp.delete(key);
        this.#host.log(
          `channel ${key} refreshed: funding now ${toHex(plan.newOutpoint.txid)}:0 ` +
            `(fee ${plan.feeResonances} resonances)`,
        );
        return true;
      }
      const pooled = this.#host.pooled(plan.newOutpoint.txid);
      if (!utxo) return pooled; // spent: by the refresh (pooled) or by a close
      if (p.theirRefresh && !pooled) {
        this.#host.log(`channel ${key}: broadcasting the funding refresh (again)`);
        await this.#host.submit(signedRefreshTx(plan, p.theirRefresh), "funding refresh");
      } else if (r.weFunded && !p.signed) {
        this.#propose(r, plan);
      }
      if (!this.#host.pooled(plan.newOutpoint.txid)) this.#deadline(r, utxo);
      return false;
    }
    if (!utxo) return false;
    const due = this.#due(utxo);
    if (due === "force-close") return this.#deadline(r, utxo), false;
    if (due !== "refresh" || !r.weFunded || !idle(r)) return false;
    let plan: FundingRefreshPlan;
    try {
      plan = planFundingRefresh(r.state, this.#keys(r), refreshFeeResonances(r.state));
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      this.#host.log(`channel ${key}: cannot refresh the funding output: ${e.message}`);
      return false;
    }
    await this.#store({
      channelId: r.channelId,
      fundingOutpoint: r.fundingOutpoint,
      feeResonances: plan.feeResonances,
      signed: false,
    });
    this.#host.log(
      `channel ${key}: funding output ${this.#ageOf(utxo)} s old, proposing a refresh`,
    );
    this.#propose(r, plan);
    return false;
  }

  /** A refresh message from the channel's peer (ChannelError on anything refused). */
  async onMessage(r: ChannelRecord, m: RefreshMessage): Promise<void> {
    if (r.status !== "normal") {
      throw new ChannelError("unexpected-message", `the channel is ${r.status}`);
    }
    const key = toHex(r.channelId);
    const p = this.#pending.get(key);
    switch (m.type) {
      case "refresh_propose": {
        if (r.weFunded) throw new ChannelError("unexpected-message", "only the funder proposes");
        if (p && p.feeResonances === m.feeResonances) {
          const plan = this.#replan(r, p);
          if (plan) this.#accept(r, plan); // our accept was lost: the same again
          return;
        }
        if (p) throw new ChannelError("unexpected-message", "another refresh is in progress");
        if (!idle(r)) {
          throw new ChannelError("unexpected-message", "HTLCs or updates are in flight: later");
        }
        const plan = planFundingRefresh(r.state, this.#keys(r), m.feeResonances);
        checkRefreshSignatures(plan, this.#keys(r), { commit: m.commitSignature });
        await this.#store({
          channelId: r.channelId,
          fundingOutpoint: r.fundingOutpoint,
          feeResonances: plan.feeResonances,
          theirCommit: m.commitSignature,
          signed: true,
        });
        this.#accept(r, plan);
        this.#host.log(`channel ${key}: accepted the peer's funding refresh`);
        return;
      }
      case "refresh_accept": {
        if (!r.weFunded || !p) throw new ChannelError("unexpected-message", "no refresh proposed");
        const plan = this.#replan(r, p);
        if (!plan) return;
        checkRefreshSignatures(plan, this.#keys(r), {
          commit: m.commitSignature,
          refresh: m.refreshSignature,
        });
        if (!p.signed) {
          await this.#store({
            ...p,
            theirCommit: m.commitSignature,
            theirRefresh: m.refreshSignature,
            signed: true,
          });
        }
        this.#host.send(r.peerId, {
          type: "refresh_complete",
          channelId: r.channelId,
          refreshSignature: plan.ourRefreshSignature,
        });
        if (!this.#host.pooled(plan.newOutpoint.txid)) {
          await this.#host.submit(signedRefreshTx(plan, m.refreshSignature), "funding refresh");
        }
        this.#host.log(`channel ${key}: funding refresh ${toHex(plan.newOutpoint.txid)} signed`);
        return;
      }
      case "refresh_complete": {
        if (r.weFunded || !p) throw new ChannelError("unexpected-message", "no refresh accepted");
        const plan = this.#replan(r, p);
        if (!plan) return;
        checkRefreshSignatures(plan, this.#keys(r), {
          commit: p.theirCommit!,
          refresh: m.refreshSignature,
        });
        if (!p.theirRefresh) await this.#store({ ...p, theirRefresh: m.refreshSignature });
        if (!this.#host.pooled(plan.newOutpoint.txid)) {
          await this.#host.submit(signedRefreshTx(plan, m.refreshSignature), "funding refresh");
        }
        return;
      }
    }
  }

  #propose(r: ChannelRecord, plan: FundingRefreshPlan): void {
    this.#host.send(r.peerId, {
      type: "refresh_propose",
      channelId: r.channelId,
      feeResonances: plan.feeResonances,
      commitSignature: plan.ourCommitSignature,
    });
  }

  #accept(r: ChannelRecord, plan: FundingRefreshPlan): void {
    this.#host.send(r.peerId, {
      type: "refresh_accept",
      channelId: r.channelId,
      commitSignature: plan.ourCommitSignature,
      refreshSignature: plan.ourRefreshSignature,
    });
  }

  /** The plan of a stored refresh; undefined when the channel moved since. */
  #replan(r: ChannelRecord, p: PendingRefresh): FundingRefreshPlan | undefined {
    try {
      return replanFundingRefresh(r.state, this.#keys(r), p.feeResonances);
    } catch (e) {
      if (!(e instanceof ChannelError)) throw e;
      this.#host.log(`channel ${toHex(r.channelId)}: stored refresh no longer fits: ${e.message}`);
      return undefined;
    }
  }

  /** Force closes at the deadline; true when it did. */
  #deadline(r: ChannelRecord, utxo: UtxoEntry): boolean {
    if (this.#due(utxo) !== "force-close") return false;
    this.#host.forceClose(
      r.channelId,
      `its funding output is ${this.#ageOf(utxo)} s old and was not refreshed ` +
        `(deadline ${refreshDeadlineAgeSecs(this.#host.emissionReturnAgeSecs)} s)`,
    );
    return true;
  }

  #ageOf(utxo: UtxoEntry): number {
    return this.#host.tipMtpSecs() - utxo.createdMtpSecs;
  }

  #due(utxo: UtxoEntry) {
    return refreshDue(this.#ageOf(utxo), this.#host.emissionReturnAgeSecs);
  }

  #keys(r: ChannelRecord): RefreshKeys {
    return {
      magic: this.#host.magic,
      fundingOutpoint: r.fundingOutpoint,
      fundingSeed: r.secrets.fundingSeed,
    };
  }

  async #store(p: PendingRefresh): Promise<void> {
    await this.#files.save(p);
    this.#pending.set(toHex(p.channelId), p);
  }

  async #forget(channelId: Uint8Array): Promise<void> {
    await this.#files.remove(channelId);
    this.#pending.delete(toHex(channelId));
  }
}

/**
 * Whether a refresh may start: the core's `refreshReady` and no HTLC at all. An HTLC would be
 * settled (fulfilled or failed back from a forward) while the channel is frozen, and a
 * commitment signed then would spend the old outpoint; without HTLCs nothing moves it.
 */
function idle(r: ChannelRecord): boolean {
  return refreshReady(r.state) && quiescent(r.state);
}

function sameOutpoint(a: OutPoint, b: OutPoint): boolean {
  return a.vout === b.vout && toHex(a.txid) === toHex(b.txid);
}
