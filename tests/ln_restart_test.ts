/**
 * kill -9 of the forwarding node in the middle of a payment, over three real `rnt node --regtest`
 * processes (PROTOCOL §9.11 "Crash safety"): channels A→B and B→C; A pays C through B while B is
 * stopped at a named point of its forwarding (crash_point.ts: `RNT_TEST_CRASH_AT`; the test, not
 * B, sends the SIGKILL) and restarted:
 * 1. after the incoming HTLC is locked in and stored, before anything is forwarded: restarted, B
 *    forwards it;
 * 2. after C fulfilled the outgoing HTLC, before B fulfills A's: the preimage is already in B's
 *    forwards file; restarted, B fulfills A's HTLC — A's `ln pay` succeeds;
 * 3. (a second payment) after the forward is written, before the outgoing HTLC is stored:
 *    restarted, B forgets the void forward and forwards the HTLC again — paid once.
 * After each payment every balance is exactly what it must be: nothing lost or duplicated, and B
 * earns its fee once per payment. B's last restart is without its wallet: the payment still
 * completes, and B's chain watcher starts only when the wallet is loaded and unlocked over RPC
 * (`loadwallet`, `walletpassphrase`), then finds both channels in its store.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { paymentHashOf } from "../core/lightning/invoice.ts";
import { gpuTest } from "../gpu/testing.ts";
import { CRASH_POINT_ENV, type CrashPoint } from "../node/lightning/crash_point.ts";
import { freePort, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import {
  channel,
  forwardFeeMres,
  type Json,
  ln,
  LnBlocks,
  lnRun,
  MRES_PER_RNT,
  waitStatus,
  walletNode,
} from "./ln_node_helpers.ts";

gpuTest(
  "kill -9 of the forwarding node mid-payment: after a restart every payment settles once",
  async () => {
    await using dir = await tempDir("rnt-ln-restart-");
    const bDir = `${dir.path}/b`, bPort = freePort();
    for (const name of ["a", "b", "c"]) await Deno.mkdir(`${dir.path}/${name}`);
    const a = await walletNode(`${dir.path}/a`);
    const c = await walletNode(`${dir.path}/c`);
    const startB = (point?: CrashPoint) =>
      walletNode(bDir, bPort, point ? { [CRASH_POINT_ENV]: point } : {});
    let b = await startB("forward-locked-in");
    try {
      const bInfo = await ln(b, ["info"]);
      const cInfo = await ln(c, ["info"]);
      const bId = bInfo.node_id as string, cId = cInfo.node_id as string;
      await ln(a, ["connect", `${bId}@127.0.0.1:${bInfo.listen_port}`]);
      await ln(b, ["connect", `${cId}@127.0.0.1:${cInfo.listen_port}`]);

      const blocks = await LnBlocks.start(a);
      await blocks.mine(REGTEST.coinbaseMaturity + 1);
      await a.rpc("sendtoaddress", [await b.rpc<string>("getnewaddress"), 2]);
      await blocks.mine(1);
      await waitUntil(
        async () => Number(await b.rpc("getbalance")) === 2,
        30_000,
        async () => `B's balance ${await b.rpc("getbalance")}`,
      );
      const ab = (await ln(a, ["open", bId, "1"])).channel_id as string;
      const bcOpen = await ln(b, ["open", cId, "0.5"]);
      const bc = bcOpen.channel_id as string;
      await waitUntil(
        async () =>
          (await a.rpc<string[]>("getrawmempool")).includes(bcOpen.funding_txid as string),
        30_000,
        () => "B's funding transaction never reached A's mempool",
      );
      await blocks.mine(1);
      await waitStatus([a, b], ab, "normal");
      await waitStatus([b, c], bc, "normal");

      const local = async (n: NodeProcess, id: string) =>
        BigInt((await channel(n, id))?.local_balance_mres as string);
      /** A's, B's and C's balances on both channels, once they are what `paid` payments give. */
      const waitBalances = async (paid: bigint[]) => {
        const sent = paid.reduce((s, x) => s + x, 0n);
        const fees = paid.reduce((s, x) => s + forwardFeeMres(x), 0n);
        const want = {
          a_ab: MRES_PER_RNT - sent - fees,
          b_ab: sent + fees,
          b_bc: MRES_PER_RNT / 2n - sent,
          c_bc: sent,
        };
        const now = async () => ({
          a_ab: await local(a, ab),
          b_ab: await local(b, ab),
          b_bc: await local(b, bc),
          c_bc: await local(c, bc),
        });
        await waitUntil(
          async () => JSON.stringify(await now(), bigints) === JSON.stringify(want, bigints),
          30_000,
          async () =>
            `balances ${JSON.stringify(await now(), bigints)}, want ${
              JSON.stringify(want, bigints)
            }\n--- B\n${b.log.slice(-4000)}`,
        );
        // B holds exactly its fees more than it put in (0.5 RNT on B→C).
        assert.equal(want.b_ab + want.b_bc - MRES_PER_RNT / 2n, fees);
      };
      const crashed = async (point: CrashPoint) => {
        await waitUntil(
          () => Promise.resolve(b.log.includes(`test crash point ${point}`)),
          30_000,
          () => `B never reached ${point}\n--- B\n${b.log.slice(-4000)}`,
        );
        const status = await b.stop("SIGKILL");
        assert.equal(status.signal, "SIGKILL");
      };
      const forwards = async () =>
        JSON.parse(await Deno.readTextFile(`${bDir}/lightning/forwards.json`)) as Record<
          string,
          Json
        >;

      // ── Payment 1: B dies right after the incoming HTLC is locked in. ──
      const first = MRES_PER_RNT / 10n;
      const invoice1 = await ln(c, ["addinvoice", "--amount", "0.1", "--description", "one"]);
      const paying1 = lnRun(a, ["pay", invoice1.invoice as string, "--json"]);
      await crashed("forward-locked-in");
      assert.deepEqual(await forwards().catch(() => ({})), {}, "nothing was forwarded");
      assert.equal(await local(c, bc), 0n);

      // Restarted, B forwards it; C fulfills; B dies before passing the preimage to A.
      b = await startB("forward-fulfilled");
      await crashed("forward-fulfilled");
      assert.match(b.log, /handling HTLC 0 on [0-9a-f]{64} again \(left unhandled by a crash\)/);
      assert.match(c.log, /received 10000000000 mres/);
      const pending = Object.values(await forwards());
      assert.equal(pending.length, 1);
      assert.equal(
        toHex(paymentHashOf(fromHex(pending[0]!.preimage as string))),
        invoice1.payment_hash,
      );

      // Restarted, B fulfills A's HTLC from its stored preimage: A's payment succeeds.
      b = await startB("forward-entry-saved");
      const paid1 = await paying1;
      assert.equal(paid1.code, 0, `${paid1.stderr}\n--- B\n${b.log.slice(-4000)}`);
      const result1 = JSON.parse(paid1.stdout) as Json;
      assert.equal(result1.payment_hash, invoice1.payment_hash);
      assert.equal(
        toHex(paymentHashOf(fromHex(result1.preimage as string))),
        invoice1.payment_hash,
      );
      assert.equal(result1.fee_mres, String(forwardFeeMres(first)));
      await waitBalances([first]);
      assert.match(b.log, new RegExp(`earned ${forwardFeeMres(first)} mres`));
      await waitUntil(
        async () => Object.keys(await forwards()).length === 0,
        30_000,
        () => "forward kept",
      );

      // ── Payment 2: B dies after writing the forward, before storing the outgoing HTLC. ──
      const second = MRES_PER_RNT / 20n;
      const invoice2 = await ln(c, ["addinvoice", "--amount", "0.05", "--description", "two"]);
      const paying2 = lnRun(a, ["pay", invoice2.invoice as string, "--json"]);
      await crashed("forward-entry-saved");
      assert.equal(Object.keys(await forwards()).length, 1);
      // This time B comes back without its wallet: forwarding needs none, and its chain watcher
      // starts once the wallet is unlocked (below).
      b = await NodeProcess.start(bDir, undefined, ["--port", String(bPort)]);
      const paid2 = await paying2;
      assert.equal(paid2.code, 0, `${paid2.stderr}\n--- B\n${b.log.slice(-4000)}`);
      assert.equal((JSON.parse(paid2.stdout) as Json).payment_hash, invoice2.payment_hash);
      assert.match(b.log, /was never sent \(a crash\): forgetting it/);
      await waitBalances([first, second]);
      assert.match(c.log, /received 5000000000 mres/);
      await waitUntil(
        async () => Object.keys(await forwards()).length === 0,
        30_000,
        () => "forward kept",
      );

      // The wallet loaded locked, then unlocked: B's chain watcher starts with both channels.
      assert.match(
        b.log,
        /no unlocked wallet at startup: 2 Lightning channel\(s\) are not watched until a wallet is unlocked/,
      );
      assert.doesNotMatch(b.log, /chain watcher started/);
      await b.rpc("loadwallet", [""]);
      const pass = (await Deno.readTextFile(`${bDir}/wallet.pass`)).trim();
      await b.rpc("walletpassphrase", [pass, 600]);
      await waitUntil(
        () =>
          Promise.resolve(
            /chain watcher started after the wallet was unlocked \(2 channels\)/.test(b.log),
          ),
        30_000,
        () => `B's watcher never started\n--- B\n${b.log.slice(-3000)}`,
      );
      // The watcher found both channels in its store (handed over at the unlock).
      assert.match(b.log, /ln watcher: watching 2 channel\(s\) at height \d+/);
    } finally {
      for (const n of [a, b, c]) await n.stop();
    }
  },
);

/** JSON.stringify replacer for bigint values. */
function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
