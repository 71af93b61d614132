/**
 * kill -9 during mempool persistence: a node on the first blocks of the regtest fixture takes a
 * chain of payments one by one, each followed by `savemempool`, and is killed with SIGKILL at
 * seeded random moments (sometimes again while the restart loads the file). After every kill
 * `mempool.dat` must decode and hold a prefix of the payments no shorter than the last save the
 * node acknowledged (the old file or the new one, never a torn one), and the restarted node's
 * mempool must be exactly that prefix.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, signTx } from "../core/consensus/testing/block_builder.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { decodeMempoolFile } from "../core/mempool/mempool_file.ts";
import { decodeBlock } from "../core/primitives/block.ts";
import { decodeTx, encodeTx, type Tx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { gpuTest, seededRandom } from "../gpu/testing.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { crashKills } from "./crash_harness.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const params = REGTEST;
const KILLS = crashKills();
const SEED = 0x3e3f;
const FEE = 10_000n;
/** Chance that the restart after a kill is killed too, while it loads the file. */
const STARTUP_KILL_ODDS = 0.25;

/** A chain of `n` payments from the fixture's first coinbase (heartbeat wallet 1) to itself. */
function paymentChain(coinbase: Tx, n: number): Tx[] {
  const w = heartbeatWallet(params, 1);
  const out: Tx[] = [];
  let prev = { txid: txid(params.magic, coinbase), value: coinbase.outputs[0]!.value };
  for (let i = 0; i < n; i++) {
    const value = prev.value - FEE;
    const tx = signTx(
      params,
      {
        version: 1,
        inputs: [{ prevout: { txid: prev.txid, vout: 0 }, sequence: 0 }],
        outputs: [{ value, address: w.address }],
        locktime: 0,
      },
      [{ value: prev.value, address: w.address }],
      [w],
    );
    out.push(tx);
    prev = { txid: txid(params.magic, tx), value };
  }
  return out;
}

/** The txids (hex) in `mempool.dat` (none before the first save); throws when it does not decode. */
async function fileTxids(datadir: string): Promise<string[]> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(`${datadir}/mempool.dat`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return decodeMempoolFile(bytes, params.magic, params.maxTxBytes).txs.map((t) =>
    toHex(txid(params.magic, decodeTx(t, params.maxTxBytes)))
  );
}

gpuTest(
  `rnt node killed with SIGKILL ${KILLS} times while saving its mempool restarts with the old or the new mempool.dat, never a broken one`,
  async () => {
    const fixture = (await readChainFixture()).slice(0, params.coinbaseMaturity + 1);
    const coinbase = decodeBlock(fixture[0]!.block, params).txs[0]!;
    // Generous: a kill lands within about four actions of the recent pace, but a slow first action
    // (the node's first save) can stretch one window over many fast ones.
    const payments = paymentChain(coinbase, 60 + KILLS * 30);
    const ids = payments.map((t) => toHex(txid(params.magic, t)));
    const hexes = payments.map((t) => toHex(encodeTx(t)));
    await using dir = await tempDir("rnt-crash-mempool-");
    let node = await NodeProcess.start(dir.path, undefined, ["--connect", "0"]);
    await importChainFixture(node, fixture);

    const rand = seededRandom(SEED);
    const kills: string[] = [];
    let actionMs = 200; // running mean of one submit + save
    let actions = 0;
    let pooled = 0; // payments in the node's mempool
    let saved = 0; // payments in the last acknowledged save
    let newFiles = 0;
    let startupKills = 0;
    const t0 = performance.now();
    try {
      while (kills.length < KILLS) {
        const windowMs = actionMs * 4;
        const delayMs = rand() * windowMs;
        const kill: { exited?: Promise<Deno.CommandStatus> } = {};
        const victim = node;
        const timer = setTimeout(() => kill.exited = victim.stop("SIGKILL"), delayMs);
        let saving = 0; // payments in a save in flight
        while (!kill.exited) {
          assert.ok(pooled < payments.length, "payment chain exhausted");
          const started = performance.now();
          try {
            assert.equal(await node.rpc("sendrawtransaction", [hexes[pooled]]), ids[pooled]);
            pooled++;
            saving = pooled;
            await node.rpc("savemempool");
            saved = saving;
          } catch (e) {
            if (kill.exited) break;
            throw e;
          }
          actions++;
          // A moving average of the recent pace (not the mean since the start), so one slow
          // first action does not widen every later kill window.
          const took = performance.now() - started;
          actionMs = actions === 1 ? took : actionMs + (took - actionMs) * 0.3;
        }
        clearTimeout(timer);
        assert.equal((await kill.exited).signal, "SIGKILL");
        // The file: a prefix of the payments, the acknowledged save or a later one.
        const inFile = await fileTxids(dir.path);
        assert.deepEqual(inFile, ids.slice(0, inFile.length), "file is not a prefix");
        assert.ok(inFile.length >= saved, `file has ${inFile.length}, ${saved} were saved`);
        assert.ok(inFile.length <= Math.max(saving, pooled), "file ahead of the mempool");
        if (inFile.length > saved) newFiles++;
        let note = "";
        if (kills.length + 2 <= KILLS && rand() < STARTUP_KILL_ODDS) {
          const early = NodeProcess.spawn(dir.path, undefined, ["--connect", "0"]);
          const at = rand() * 3000;
          await new Promise((r) => setTimeout(r, at));
          assert.equal((await early.stop("SIGKILL")).signal, "SIGKILL");
          kills.push(`kill ${at.toFixed(0)} ms into a restart`);
          startupKills++;
          note = " (after a killed restart)";
          assert.deepEqual(await fileTxids(dir.path), inFile, "a restart changed the file");
        }
        node = await NodeProcess.start(dir.path, undefined, ["--connect", "0"]);
        const pool = await node.rpc<string[]>("getrawmempool");
        assert.deepEqual(pool.sort(), ids.slice(0, inFile.length).sort());
        kills.push(
          `kill at ${delayMs.toFixed(0)}/${windowMs.toFixed(0)} ms: ${pooled} pooled, ${saved} ` +
            `saved, file holds ${inFile.length}, mempool after restart ${pool.length}${note}`,
        );
        pooled = saved = inFile.length;
      }
      await node.stop();
    } finally {
      await node[Symbol.asyncDispose]();
    }
    console.log(kills.join("\n"));
    console.log(
      `${kills.length} kills in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${newFiles} ` +
        `left a file newer than the last acknowledged save, ${startupKills} during a restart; ` +
        `${actions} submit+save actions (mean ${actionMs.toFixed(0)} ms)`,
    );
  },
);
