/**
 * FundingRefresher between a funder and a fundee: both real channel records (openRecordPair),
 * real refresh files in a temp dir, every message through its wire encoding. The host stands in
 * for the Lightning service's hooks (its save, send, submit, force close) and the node's chain
 * facts (tip MTP, confirmations, mempool): the same narrow port the service implements.
 */
import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { UtxoEntry } from "../../core/consensus/chain_entry.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import { MRES_PER_RESONANCE } from "../../core/lightning/commitment_tx.ts";
import {
  decodeRefreshMessage,
  encodeRefreshMessage,
  type RefreshMessage,
} from "../../core/lightning/refresh_messages.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { FundingRefresher, type RefreshHost } from "./funding_refresher.ts";
import { RefreshFiles } from "./refresh_files.ts";
import { openRecordPair } from "./_test_channel.ts";

/** One side: its refresher, its record, and what the host saw. */
interface Side {
  refresher: FundingRefresher;
  files: RefreshFiles;
  record: ChannelRecord;
  host: TestHost;
}

class TestHost implements RefreshHost {
  readonly magic = REGTEST.magic;
  readonly emissionReturnAgeSecs = REGTEST.emissionReturnAgeSecs;
  mtp = 0;
  readonly depth = new Map<string, number>();
  readonly pool = new Set<string>();
  readonly sent: RefreshMessage[] = [];
  readonly submitted: Tx[] = [];
  readonly saved: ChannelRecord[] = [];
  readonly forceClosed: string[] = [];
  readonly lines: string[] = [];
  tipMtpSecs = () => this.mtp;
  confirmations = (id: Uint8Array) => Promise.resolve(this.depth.get(toHex(id)) ?? 0);
  pooled = (id: Uint8Array) => this.pool.has(toHex(id));
  submit = (tx: Tx) => {
    this.submitted.push(tx);
    this.pool.add(toHex(txid(REGTEST.magic, tx)));
    return Promise.resolve();
  };
  save = (r: ChannelRecord) => {
    this.saved.push(r);
    return Promise.resolve();
  };
  send = (_peerId: string, m: RefreshMessage) => {
    const { id, payload } = encodeRefreshMessage(m);
    this.sent.push(decodeRefreshMessage(id, payload));
  };
  forceClose = (channelId: Uint8Array) => void this.forceClosed.push(toHex(channelId));
  log = (line: string) => void this.lines.push(line);
}

const FUNDING_CREATED_MTP = 1_000_000;
const utxoOf = (r: ChannelRecord): UtxoEntry => ({
  value: r.state.config.capacityMres / MRES_PER_RESONANCE,
  address: { kind: 4, hash: new Uint8Array(32) },
  height: 5,
  coinbase: false,
  createdMtpSecs: FUNDING_CREATED_MTP,
});

async function pair(dir: string): Promise<{ funder: Side; fundee: Side }> {
  const { funder, fundee } = openRecordPair();
  const side = async (name: string, record: ChannelRecord): Promise<Side> => {
    const host = new TestHost();
    const files = new RefreshFiles(`${dir}/${name}`);
    return { refresher: await FundingRefresher.load(files, host), files, record, host };
  };
  return { funder: await side("funder", funder), fundee: await side("fundee", fundee) };
}

/** Ages both sides' funding output to `age` seconds. */
function age(sides: Side[], secs: number): void {
  for (const s of sides) s.host.mtp = FUNDING_CREATED_MTP + secs;
}

/** Delivers `from`'s last sent message to `to`. */
async function deliver(from: Side, to: Side): Promise<void> {
  await to.refresher.onMessage(to.record, from.host.sent.at(-1)!);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-refresher-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FundingRefresher: nothing before half the age; then propose, accept, complete, and both move once it confirms", () =>
  withDir(async (dir) => {
    const { funder, fundee } = await pair(dir);
    age([funder, fundee], 1799);
    assert.equal(await funder.refresher.onTip(funder.record, utxoOf(funder.record)), false);
    assert.equal(funder.host.sent.length, 0);
    assert.equal(funder.refresher.summary(funder.record).fundingAgeSecs, 1799);

    age([funder, fundee], 1800);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    assert.equal(funder.host.sent.at(-1)?.type, "refresh_propose");
    assert.ok(funder.refresher.frozen(funder.record.channelId));
    // The fundee never proposes, whatever the age.
    await fundee.refresher.onTip(fundee.record, utxoOf(fundee.record));
    assert.equal(fundee.host.sent.length, 0);

    await deliver(funder, fundee);
    assert.equal(fundee.host.sent.at(-1)?.type, "refresh_accept");
    assert.ok(fundee.refresher.frozen(fundee.record.channelId));
    await deliver(fundee, funder);
    assert.equal(funder.host.sent.at(-1)?.type, "refresh_complete");
    assert.equal(funder.host.submitted.length, 1);
    await deliver(funder, fundee);
    const refresh = funder.host.submitted[0]!;
    assert.deepEqual(fundee.host.submitted, [refresh]); // both can broadcast the same tx
    const refreshId = toHex(txid(REGTEST.magic, refresh));

    for (const s of [funder, fundee]) {
      // Spent by the pooled refresh: handled, not the peer's close.
      assert.equal(await s.refresher.onTip(s.record, undefined), true);
      s.host.pool.clear();
      s.host.depth.set(refreshId, 1);
      assert.equal(await s.refresher.onTip(s.record, undefined), true);
      const moved = s.host.saved.at(-1)!;
      assert.equal(toHex(moved.fundingOutpoint.txid), refreshId);
      assert.equal(moved.fundingOutpoint.vout, 0);
      assert.equal(moved.state.localCommit.number, s.record.state.localCommit.number);
      assert.ok(!s.refresher.frozen(s.record.channelId));
      assert.deepEqual((await s.files.loadAll()).refreshes, []);
    }
    const fee = 369n * MRES_PER_RESONANCE; // 1 resonance per byte × 369 bytes
    assert.equal(
      funder.host.saved.at(-1)!.state.base.localBalanceMres,
      funder.record.state.base.localBalanceMres - fee,
    );
    assert.equal(
      fundee.host.saved.at(-1)!.state.base.localBalanceMres,
      fundee.record.state.base.localBalanceMres,
    );
  }));

Deno.test("FundingRefresher: a silent peer gets the proposal again each block, then a force close at three quarters", () =>
  withDir(async (dir) => {
    const { funder, fundee } = await pair(dir);
    age([funder, fundee], 1900);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    assert.deepEqual(funder.host.sent.map((m) => m.type), ["refresh_propose", "refresh_propose"]);
    assert.deepEqual(funder.host.forceClosed, []);
    age([funder, fundee], 2699);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    assert.deepEqual(funder.host.forceClosed, []);
    age([funder, fundee], 2700);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    await fundee.refresher.onTip(fundee.record, utxoOf(fundee.record)); // no refresh on its side
    assert.deepEqual(funder.host.forceClosed, [toHex(funder.record.channelId)]);
    assert.deepEqual(fundee.host.forceClosed, [toHex(fundee.record.channelId)]);
    assert.ok(2700 < REGTEST.emissionReturnAgeSecs);
  }));

Deno.test("FundingRefresher refuses forged or misplaced refresh messages and stores nothing for them", () =>
  withDir(async (dir) => {
    const { funder, fundee } = await pair(dir);
    age([funder, fundee], 2000);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    const propose = funder.host.sent.at(-1)!;
    assert.equal(propose.type, "refresh_propose");
    const refusal = async (side: Side, m: RefreshMessage, pattern: RegExp) =>
      await assert.rejects(
        side.refresher.onMessage(side.record, m),
        (e) => e instanceof ChannelError && pattern.test(e.message),
      );
    if (propose.type !== "refresh_propose") return;
    await refusal(fundee, { ...propose, feeResonances: 1n }, /refresh fee must be 369/);
    const forged = propose.commitSignature.slice();
    forged[0]! ^= 1;
    await refusal(fundee, { ...propose, commitSignature: forged }, /does not verify/);
    await refusal(funder, propose, /only the funder proposes/);
    await refusal(
      fundee,
      { type: "refresh_complete", channelId: propose.channelId, refreshSignature: forged },
      /no refresh accepted/,
    );
    assert.equal(fundee.host.sent.length, 0);
    assert.deepEqual((await fundee.files.loadAll()).refreshes, []);
    await deliver(funder, fundee);
    const accept = fundee.host.sent.at(-1)!;
    if (accept.type !== "refresh_accept") throw new Error("no accept");
    await refusal(funder, { ...accept, refreshSignature: forged }, /does not verify/);
    await refusal(funder, { ...accept, commitSignature: forged }, /does not verify/);
    assert.deepEqual(funder.host.submitted, []);
    const [stored] = (await funder.files.loadAll()).refreshes;
    assert.equal(stored?.signed, false);
    await fundee.refresher.onMessage(fundee.record, propose); // a repeat is answered again
    assert.equal(fundee.host.sent.filter((m) => m.type === "refresh_accept").length, 2);
  }));

Deno.test("FundingRefresher: a peer update drops an unsigned proposal but is refused once the refresh is signed", () =>
  withDir(async (dir) => {
    const { funder, fundee } = await pair(dir);
    age([funder, fundee], 2000);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    await funder.refresher.beforeUpdate(funder.record);
    assert.ok(!funder.refresher.frozen(funder.record.channelId));
    assert.deepEqual((await funder.files.loadAll()).refreshes, []);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record)); // proposes again
    await deliver(funder, fundee);
    await assert.rejects(
      fundee.refresher.beforeUpdate(fundee.record),
      (e) => e instanceof ChannelError && /no update until it confirms/.test(e.message),
    );
    assert.ok(fundee.refresher.frozen(fundee.record.channelId));
  }));

Deno.test("FundingRefresher after a restart: the stored refresh is still frozen and broadcast again", () =>
  withDir(async (dir) => {
    const { funder, fundee } = await pair(dir);
    age([funder, fundee], 2000);
    await funder.refresher.onTip(funder.record, utxoOf(funder.record));
    await deliver(funder, fundee);
    await deliver(fundee, funder);
    const again = await FundingRefresher.load(funder.files, funder.host);
    assert.ok(again.frozen(funder.record.channelId));
    funder.host.pool.clear(); // the mempool was lost with the process
    await again.onTip(funder.record, utxoOf(funder.record));
    assert.equal(funder.host.submitted.length, 2);
    assert.deepEqual(funder.host.submitted[1], funder.host.submitted[0]);
    assert.ok(funder.host.lines.some((l) => /broadcasting the funding refresh \(again\)/.test(l)));
  }));

Deno.test("FundingRefresher leaves a channel with an HTLC alone until it settles, on both sides", () =>
  withDir(async (dir) => {
    const { funder, fundee } = await pair(dir);
    age([funder, fundee], 2000);
    const htlc = {
      offeredBy: "local" as const,
      id: 0n,
      amountMres: 5_000_000n,
      paymentHash: new Uint8Array(32).fill(7),
      expirySecs: 1_800_000_000,
      onion: new Uint8Array(1365),
    };
    const busy = (r: ChannelRecord): ChannelRecord => ({
      ...r,
      state: { ...r.state, base: { ...r.state.base, htlcs: [htlc] } },
    });
    await funder.refresher.onTip(busy(funder.record), utxoOf(funder.record));
    assert.equal(funder.host.sent.length, 0);
    assert.ok(!funder.refresher.frozen(funder.record.channelId));
    await funder.refresher.onTip(funder.record, utxoOf(funder.record)); // settled: it proposes
    await assert.rejects(
      fundee.refresher.onMessage(busy(fundee.record), funder.host.sent.at(-1)!),
      (e) => e instanceof ChannelError && /HTLCs or updates are in flight/.test(e.message),
    );
    assert.deepEqual((await fundee.files.loadAll()).refreshes, []);
  }));
