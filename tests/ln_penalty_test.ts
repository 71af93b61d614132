/**
 * The running node watches the chain for its channels (PROTOCOL §9.10, §9.11), between two real
 * `rnt node --regtest` processes with wallets:
 *
 * - B force closes its latest commitment of one channel: A's node claims A's to_other output of
 *   it into A's wallet;
 * - on another channel B pays A twice (its commitment numbers advance, the old ones are revoked),
 *   then, while A's node is down, B publishes its OLD commitment (rebuilt from a copy of B's
 *   channel file taken before the payments) and mines it. A's node first comes back without its
 *   wallet (no watcher) and takes the block; started again with its wallet, its watcher rescans
 *   the blocks since its last run, submits the penalty, and once mined A's wallet holds every
 *   output of the breach: the whole channel (1 RNT) less the fees.
 *
 * Blocks are the fixture's trained checkpoints (LnBlocks), sent to A, and to B while A is down
 * (each node takes over once it has every block so far), not trained here.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { encodeTx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { gpuTest } from "../gpu/testing.ts";
import { decodeChannelRecord } from "../node/lightning/channel_file_record.ts";
import { signedLocalCommitment } from "../node/lightning/channel_transactions.ts";
import { freePort, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import { channel, type Json, LnBlocks, waitStatus, walletNode } from "./ln_node_helpers.ts";

/**
 * The transactions of `node`'s active chain above `fromHeight` that spend outputs of `parent`,
 * with the parent's output indexes they spend.
 */
async function spendersOf(node: NodeProcess, parent: string, fromHeight: number) {
  const found: { tx: Json; spent: number[] }[] = [];
  const tip = await node.rpc<number>("getblockcount");
  for (let h = fromHeight + 1; h <= tip; h++) {
    const hash = await node.rpc<string>("getblockhash", [h]);
    const block = await node.rpc<Json>("getblock", [hash, 2]);
    for (const tx of block.tx as Json[]) {
      const spent = (tx.vin as Json[]).filter((i) => i.txid === parent).map((i) =>
        i.vout as number
      );
      if (spent.length > 0) found.push({ tx, spent });
    }
  }
  return found;
}

/** Resonances of `tx`'s outputs that are unspent coins of `node`'s wallet. */
async function paidToWallet(node: NodeProcess, tx: Json): Promise<bigint> {
  const coins = await node.rpc<Json[]>("listunspent");
  let total = 0n;
  for (const o of tx.vout as Json[]) {
    const coin = coins.find((c) => c.txid === tx.txid && c.vout === o.n);
    if (coin) total += BigInt(coin.amount_resonances as number);
  }
  return total;
}

gpuTest(
  "a node claims its output of the peer's force close and punishes the peer's revoked commitment, published while it was down",
  async () => {
    await using dir = await tempDir("rnt-ln-penalty-");
    const aDir = `${dir.path}/a`, bDir = `${dir.path}/b`;
    await Deno.mkdir(aDir);
    await Deno.mkdir(bDir);
    const aPort = freePort(), bPort = freePort();
    let a: NodeProcess | undefined, b: NodeProcess | undefined;
    try {
      a = await walletNode(aDir, aPort);
      b = await walletNode(bDir, bPort);
      assert.match(a.log, /ln watcher: watching 0 channel\(s\)/);
      const bId = (await b.rpc<Json>("ln_info")).node_id as string;
      await a.rpc("ln_connect", [`${bId}@127.0.0.1:${bPort}`]);
      // Blocks without training (fixture checkpoints), on whichever node mines: B while A is down.
      const blocks = await LnBlocks.start(a);
      const mine = async (n: NodeProcess, count: number) => {
        if (blocks.node !== n) await blocks.switchTo(n);
        await blocks.mine(count);
      };
      await mine(a, REGTEST.coinbaseMaturity + 1);

      // Two channels of 1 RNT each, funded in one block: 0.5 RNT pushed to B in the first,
      // 0.3 RNT in the second.
      const id1 = (await a.rpc<Json>("ln_open", [bId, "1", "0.5"])).channel_id as string;
      const id2 = (await a.rpc<Json>("ln_open", [bId, "1", "0.3"])).channel_id as string;
      await mine(a, 1);
      await waitStatus([a, b], id1, "normal");
      await waitStatus([a, b], id2, "normal");

      // B's channel file of channel 1 now: its commitment in it will be revoked by the payments.
      const stale = decodeChannelRecord(
        await Deno.readTextFile(`${bDir}/lightning/channels/${id1}.json`),
      );
      for (let i = 0; i < 2; i++) {
        const invoice = await a.rpc<Json>("ln_invoice", ["0.1", `payment ${i}`]);
        await b.rpc("ln_pay", [invoice.invoice]);
      }
      await waitUntil(
        async () =>
          (await channel(a!, id1))?.local_balance_mres === "70000000000" &&
          (await channel(b!, id1))?.local_balance_mres === "30000000000",
        20_000,
        async () => `balances ${JSON.stringify([await channel(a!, id1), await channel(b!, id1)])}`,
      );
      const bNow = await channel(b, id1);
      assert.ok(
        BigInt(bNow?.commitment_number as number) > stale.state.localCommit.number,
        `B's commitment number did not advance: ${JSON.stringify(bNow)}`,
      );

      // B force closes channel 2 with its latest commitment: A's node claims its to_other.
      const forced = await b.rpc<Json>("ln_forceclose", [id2]);
      const closeTxid = forced.close_txid as string;
      const closeHeight = await a.rpc<number>("getblockcount");
      await waitUntil(
        async () => (await a!.rpc<string[]>("getrawmempool")).includes(closeTxid),
        20_000,
        () => "B's commitment did not reach A",
      );
      let claims: { tx: Json; spent: number[] }[] = [];
      await waitUntil(
        async () => {
          await mine(a!, 1);
          claims = [];
          for (const s of await spendersOf(a!, closeTxid, closeHeight)) {
            if (await paidToWallet(a!, s.tx) > 0n) claims.push(s);
          }
          return claims.length > 0;
        },
        120_000,
        () => `no claim of A's to_other\n--- A\n${a!.log.slice(-3000)}`,
      );
      assert.equal(claims.length, 1);
      const claimed = await paidToWallet(a, claims[0]!.tx);
      // A's 0.7 RNT, less the commitment fee (the funder's) and the claim's fee.
      assert.ok(claimed > 69_900_000n && claimed < 70_000_000n, `A claimed ${claimed}`);
      assert.match(
        a.log,
        /ln watcher: channel [0-9a-f]{16}: funding output spent by .*the peer's commitment/,
      );

      // A goes down; B publishes its revoked commitment of channel 1 and mines it.
      assert.equal((await a.stop("SIGKILL")).signal, "SIGKILL");
      const breach = signedLocalCommitment(stale, REGTEST.magic);
      const breachTxid = toHex(txid(REGTEST.magic, breach));
      assert.equal(await b.rpc("sendrawtransaction", [toHex(encodeTx(breach))]), breachTxid);
      await mine(b, 1);
      const breachHeight = await b.rpc<number>("getblockcount");
      assert.equal((await b.rpc<Json>("getrawtransaction", [breachTxid, true])).confirmations, 1);

      // A comes back WITHOUT its wallet (so without its watcher) and learns the block from B;
      // then restarts with its wallet: its watcher, last run before the breach, rescans the blocks
      // since and punishes the breach.
      a = await NodeProcess.start(aDir, undefined, ["--port", String(aPort)]);
      assert.match(
        a.log,
        /warning: no unlocked wallet at startup: 2 Lightning channel\(s\) are not watched/,
      );
      await waitUntil(
        async () => await a!.rpc<number>("getblockcount") >= breachHeight,
        60_000,
        () => `A did not sync the breach\n--- A\n${a!.log.slice(-3000)}`,
      );
      await a.stop();
      a = await walletNode(aDir, aPort);
      assert.match(
        a.log,
        /ln watcher: watching 2 channel\(s\) at height \d+, rescanning from height/,
      );
      await waitUntil(
        () => Promise.resolve(/penalty [0-9a-f]{64} submitted/.test(a!.log)),
        60_000,
        () => `no penalty\n--- A\n${a!.log.slice(-3000)}`,
      );
      const breachOutputs = ((await a.rpc<Json>("getrawtransaction", [breachTxid, true]))
        .vout as Json[]).length;
      let punished: { tx: Json; spent: number[] }[] = [];
      await waitUntil(
        async () => {
          await mine(a!, 1);
          punished = await spendersOf(a!, breachTxid, breachHeight);
          return new Set(punished.flatMap((p) => p.spent)).size === breachOutputs;
        },
        120_000,
        () =>
          `breach outputs not all claimed: ${JSON.stringify(punished)}\n--- A\n${
            a!.log.slice(-3000)
          }`,
      );
      let total = 0n;
      for (const p of punished) {
        const paid = await paidToWallet(a, p.tx);
        const out = (p.tx.vout as Json[]).reduce(
          (s, o) => s + BigInt(o.value_resonances as number),
          0n,
        );
        assert.equal(paid, out, "a claim pays somewhere else than A's wallet");
        total += paid;
      }
      // The whole channel: 1 RNT less the commitment fee and the claims' fees.
      assert.ok(total > 99_900_000n && total < 100_000_000n, `A holds ${total} of the channel`);
      assert.match(a.log, /REVOKED commitment/);
    } finally {
      await a?.stop();
      await b?.stop();
    }
  },
);
