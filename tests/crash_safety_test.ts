/**
 * Crash safety of a real `rnt node` (kill -9 campaigns; `crash_harness.ts` has the shared parts).
 * The source chain is the first 11 blocks of the pre-mined fixture plus two blocks built here on
 * the fixture's checkpoints of heights 12 and 13, the first of them spending the coinbase of block 1.
 *
 * - Connecting blocks: a fresh node is fed the source chain with `submitblock` and killed with
 *   SIGKILL at seeded random moments (sometimes again during the restart). After every restart
 *   the tip is one of the fed blocks, every acknowledged block is on the active chain, the active
 *   chain is the source chain, and `gettxoutsetinfo` (hash, counts, total, supply) equals an
 *   in-memory replay (TestChain) of the same blocks up to that tip. Feeding then continues from
 *   where the node stands; a node that reached the end is stopped cleanly and the next round
 *   starts on a fresh data directory.
 * - Reorganisation: a node holding the source chain is fed the fixture's continuation, which
 *   overtakes it, and killed at a random moment; after the restart it is on the source tip (only
 *   while no acknowledged fixture block beat it) or on the fixture chain, consistent either way.
 *
 * `CRASH_KILLS` sets the kills per campaign (3 by default; `deno task crash` runs 20).
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, outputKey, TestChain } from "../core/consensus/testing/block_builder.ts";
import { sampleClaims } from "./sample_claims.ts";
import { blockWork, chainWork, reorgMarginWork } from "../core/consensus/chain_work.ts";
import { headerSums } from "../core/consensus/paired_improvement.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { type Block, blockId, decodeBlock, encodeBlock } from "../core/primitives/block.ts";
import { gpuTest, seededRandom } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { readChainFixture } from "./chain_fixture.ts";
import { checkConsistent, copyDir, crashKills, type FedBlock, replay } from "./crash_harness.ts";

const params = REGTEST;
/** The fixture pays its coinbases to heartbeat wallet 1: it owns the spend. */
const owner = heartbeatWallet(params, 1);
const dest = heartbeatWallet(params, 0);
/** Fixture blocks at the start of the source chain (the coinbase of block 1 is then mature). */
const FIXTURE_PREFIX = params.coinbaseMaturity + 1;
/**
 * Blocks of the source chain: the fixture prefix, a block spending the coinbase of block 1, and
 * one more (a side branch of the fixture from height 12 on).
 */
const CHAIN_LENGTH = FIXTURE_PREFIX + 2;
const KILLS = crashKills();
const SEED = 0xc4a5;
const FEE = 10_000n;
/** Chance that the restart after a kill is killed too, at a random moment of its start. */
const STARTUP_KILL_ODDS = 0.25;

type Json = Record<string, unknown>;

/**
 * Builds the source chain without training: the fixture prefix, then two blocks of our own that
 * reuse the fixture's trained checkpoints (and so their losses) of heights 12 and 13 with other
 * transactions — the first spends the coinbase of block 1 — and another miner key. Every block
 * goes through the in-memory replay's consensus checks; the nodes evaluate the checkpoints.
 */
async function buildSourceChain(): Promise<FedBlock[]> {
  const fixture = await readChainFixture();
  const decoded = fixture.map((b) => decodeBlock(b.block, params));
  const chain = new TestChain(params);
  chain.nowSecs = Math.max(chain.nowSecs, Math.floor(Date.now() / 1000) + 3600);
  const out: FedBlock[] = [];
  for (let i = 0; i < FIXTURE_PREFIX; i++) {
    await chain.accept(decoded[i]!);
    out.push({
      hash: toHex(blockId(params.magic, decoded[i]!.header)),
      blockHex: toHex(fixture[i]!.block),
      checkpointHex: toHex(fixture[i]!.checkpoint),
    });
  }
  const cbKey = outputKey(params, decoded[0]!.txs[0]!, 0);
  const value = chain.view.get(cbKey)!.value;
  const half = (value - FEE) / 2n;
  const spend = chain.spend(owner, [cbKey], [
    { value: half, address: dest.address },
    { value: value - FEE - half, address: owner.address },
  ]);
  const minerSeed = new Uint8Array(32).fill(0x5c);
  for (let i = FIXTURE_PREFIX; i < CHAIN_LENGTH; i++) {
    const like = decoded[i]!.header;
    const first = i === FIXTURE_PREFIX;
    // Another key draws another sample: the claims are evaluated on it. The time is late enough
    // after the parent that μ_t has decayed to 0 (a reused checkpoint need not beat its parent
    // by μ on a sample it was not mined on), and still in the past.
    const time = Math.max(
      like.timestampSecs,
      chain.tip.header.timestampSecs + params.improvementGraceSecs +
        31 * params.improvementHalfLifeSecs,
    );
    const claims = await sampleClaims(
      params,
      chain.tip,
      fromHex(out[i - 1]!.checkpointHex),
      fixture[i]!.checkpoint,
      time,
      minerSeed,
    );
    const block = await chain.mine({
      minerSeed,
      coinbaseTo: owner.address,
      ...(first ? { txs: [spend], feesResonances: FEE } : {}),
      ...claims,
      checkpoint: { root: like.checkpointRoot, size: like.checkpointSize },
    });
    out.push({
      hash: toHex(blockId(params.magic, block.header)),
      blockHex: toHex(encodeBlock(block)),
      checkpointHex: toHex(fixture[i]!.checkpoint),
    });
  }
  return out;
}

/** The source chain, built once for every campaign of this file. */
let sourceOnce: Promise<FedBlock[]> | undefined;
const sourceChain = () => sourceOnce ??= buildSourceChain();

gpuTest(
  `rnt node killed with SIGKILL ${KILLS} times while connecting blocks restarts with a consistent chainstate and loses no acknowledged block`,
  async () => {
    const t0 = performance.now();
    const source = await sourceChain();
    const mineSecs = (performance.now() - t0) / 1000;
    assert.equal(source.length, CHAIN_LENGTH);
    const blocks = source.map((b) => decodeBlock(fromHex(b.blockHex), params));
    blocks.forEach((b, i) => assert.equal(toHex(blockId(params.magic, b.header)), source[i]!.hash));
    const expected = await replay(blocks);
    assert.equal(expected[CHAIN_LENGTH]!.txouts, CHAIN_LENGTH + 1);

    const rand = seededRandom(SEED);
    const t1 = performance.now();
    let submitMs = 600; // running mean of one submitblock, for the kill window
    let startMs = 1500; // moving average of a node start until RPC answers
    let submits = 0;
    let rounds = 0;
    let starts = 0;
    const kills: string[] = [];
    let inFlightKills = 0;
    let startupKills = 0;
    let landedAfterStore = 0;
    let landedAfterConnect = 0;
    while (kills.length < KILLS) {
      rounds++;
      await using dir = await tempDir("rnt-crash-");
      let node = await NodeProcess.start(dir.path);
      starts++;
      try {
        let height = await checkConsistent(node, source, expected, 0, 0);
        while (height < CHAIN_LENGTH && kills.length < KILLS) {
          // Kill at a uniform moment within the expected time of the rest of the feed.
          const windowMs = submitMs * (CHAIN_LENGTH - height);
          const delayMs = rand() * windowMs;
          const kill: { exited?: Promise<Deno.CommandStatus> } = {};
          const victim = node;
          const timer = setTimeout(() => kill.exited = victim.stop("SIGKILL"), delayMs);
          const fedFrom = height + 1;
          let acked = height;
          let inFlight = 0;
          for (let h = fedFrom; h <= CHAIN_LENGTH && !kill.exited; h++) {
            const b = source[h - 1]!;
            inFlight = h;
            const started = performance.now();
            try {
              assert.equal(await node.rpc("submitblock", [b.blockHex, b.checkpointHex]), null);
            } catch (e) {
              if (kill.exited) break;
              throw e;
            }
            inFlight = 0;
            acked = h;
            submits++;
            submitMs += (performance.now() - started - submitMs) / submits;
          }
          clearTimeout(timer);
          if (!kill.exited) {
            // The whole rest of the chain went in before the kill: verify, and start over.
            height = await checkConsistent(node, source, expected, CHAIN_LENGTH, CHAIN_LENGTH);
            break;
          }
          const status = await kill.exited;
          assert.equal(status.signal, "SIGKILL");
          if (inFlight) inFlightKills++;
          let startupKill = "";
          if (kills.length + 2 <= KILLS && rand() < STARTUP_KILL_ODDS) {
            // Also kill the restart itself, while it opens the chainstate (and connects a block
            // stored before the first kill) or just after.
            const at = rand() * startMs;
            const early = NodeProcess.spawn(dir.path);
            await new Promise((r) => setTimeout(r, at));
            assert.equal((await early.stop("SIGKILL")).signal, "SIGKILL");
            kills.push(`round ${rounds} kill ${at.toFixed(0)} ms after a restart`);
            starts++;
            startupKill = " (after a killed restart)";
            startupKills++;
          }
          const restarted = performance.now();
          node = await NodeProcess.start(dir.path);
          starts++;
          startMs += (performance.now() - restarted - startMs) / 4;
          const highestFed = inFlight || acked;
          height = await checkConsistent(node, source, expected, acked, highestFed);
          // Where the kill landed: before the in-flight block was stored; after it was stored
          // but before it was connected (the restart connects it while opening the chainstate);
          // or after it was connected (the killed node logged it), the reply not yet read.
          let landed = inFlight ? "before it was stored" : "between submits";
          if (inFlight && height === inFlight) {
            const connected = victim.log.includes(`connected block height=${inFlight} `);
            landed = connected ? "connected, reply not read" : "stored, connected at restart";
            if (connected) landedAfterConnect++;
            else landedAfterStore++;
          }
          kills.push(
            `round ${rounds} kill at ${delayMs.toFixed(0)}/${windowMs.toFixed(0)} ms: acked ` +
              `${acked}, in flight ${inFlight || "-"} (${landed}), tip after restart ${height}` +
              startupKill,
          );
        }
        await node.stop();
      } finally {
        await node[Symbol.asyncDispose]();
      }
    }
    const killSecs = (performance.now() - t1) / 1000;
    console.log(kills.join("\n"));
    console.log(
      `source chain of ${CHAIN_LENGTH} blocks built in ${mineSecs.toFixed(1)} s; ` +
        `${kills.length} kills in ${killSecs.toFixed(1)} s: ${inFlightKills} during a ` +
        `submitblock (${landedAfterStore} after the block was stored but before it was ` +
        `connected, ${landedAfterConnect} after it was connected), ${startupKills} during a ` +
        `restart; ${rounds} rounds, ` +
        `${starts} node starts, ${submits} acknowledged submits (mean ${submitMs.toFixed(0)} ms)`,
    );
    assert.equal(kills.length, KILLS);
  },
);

/** Chain work of each block of a chain from genesis (PROTOCOL §6.3), from the headers' claims. */
function chainWorks(blocks: readonly Block[]): bigint[] {
  let work = 0n;
  return blocks.map((b) => work = chainWork(work, blockWork(params, headerSums(b.header))));
}

/**
 * Where the fixture chain overtakes the source chain (which left it at height 12): fork choice
 * takes the most chain work (ties: first seen, the source), and replacing the source's two mined
 * blocks owes the reorg margin of a 2-block reorganisation (PROTOCOL §6.3), so the first fixture
 * block with more work than the source tip plus that margin makes the node disconnect them (the
 * spend goes back to the mempool) and connect the fixture's.
 */
function reorgPoint(fork: readonly Block[], tipWork: bigint): number {
  const needed = tipWork + reorgMarginWork(params, 2);
  const at = chainWorks(fork).findIndex((w) => w > needed);
  assert.ok(at >= 0, "the fixture never beats the source tip");
  return at + 1;
}

gpuTest(
  `rnt node killed with SIGKILL ${KILLS} times during a reorganisation restarts on one of the two chains it had, consistent and with every acknowledged block`,
  async () => {
    const source = await sourceChain();
    const sourceBlocks = source.map((b) => decodeBlock(fromHex(b.blockHex), params));
    const sourceExpected = await replay(sourceBlocks);
    const fixture = await readChainFixture();
    const forkAll = fixture.map((b) => decodeBlock(b.block, params));
    const tipWork = chainWorks(sourceBlocks)[CHAIN_LENGTH - 1]!;
    const reorgAt = reorgPoint(forkAll, tipWork);
    const forkLength = reorgAt + 2;
    const forkBlocks = forkAll.slice(0, forkLength);
    const fork: FedBlock[] = fixture.slice(0, forkLength).map((b, i) => ({
      hash: toHex(blockId(params.magic, forkBlocks[i]!.header)),
      blockHex: toHex(b.block),
      checkpointHex: toHex(b.checkpoint),
    }));
    const forkExpected = await replay(forkBlocks);

    // The starting point of every round: the source chain fed and the node stopped cleanly.
    await using template = await tempDir("rnt-crash-reorg-template-");
    {
      await using node = await NodeProcess.start(template.path);
      for (const b of source) {
        assert.equal(await node.rpc("submitblock", [b.blockHex, b.checkpointHex]), null);
      }
      await node.stop();
    }
    const rand = seededRandom(SEED ^ 0x5e0);
    const kills: string[] = [];
    let submitMs = 600;
    let onFork = 0;
    let reorgInFlight = 0;
    const t0 = performance.now();
    while (kills.length < KILLS) {
      await using dir = await tempDir("rnt-crash-reorg-");
      await copyDir(template.path, dir.path);
      let node = await NodeProcess.start(dir.path);
      try {
        const windowMs = submitMs * (forkLength - FIXTURE_PREFIX);
        const delayMs = rand() * windowMs;
        const kill: { exited?: Promise<Deno.CommandStatus> } = {};
        const victim = node;
        const timer = setTimeout(() => kill.exited = victim.stop("SIGKILL"), delayMs);
        // The fork shares the fixture prefix with the source chain: feed it from there.
        let acked = FIXTURE_PREFIX;
        let inFlight = 0;
        for (let h = FIXTURE_PREFIX + 1; h <= forkLength && !kill.exited; h++) {
          inFlight = h;
          const started = performance.now();
          try {
            // A fork block below the source tip's work is stored on a side branch.
            const result = await node.rpc("submitblock", [
              fork[h - 1]!.blockHex,
              fork[h - 1]!.checkpointHex,
            ]);
            assert.equal(result, h < reorgAt ? "inconclusive" : null, `fork block ${h}`);
          } catch (e) {
            if (kill.exited) break;
            throw e;
          }
          inFlight = 0;
          acked = h;
          submitMs += (performance.now() - started - submitMs) / 8;
        }
        clearTimeout(timer);
        if (!kill.exited) {
          // The fork went in whole before the kill: the node is on the fork's tip.
          await checkConsistent(node, fork, forkExpected, forkLength, forkLength, {
            allowSideCheckpoints: true,
          });
          await node.stop();
          continue;
        }
        assert.equal((await kill.exited).signal, "SIGKILL");
        if (inFlight === reorgAt) reorgInFlight++;
        node = await NodeProcess.start(dir.path);
        const best = await node.rpc<string>("getbestblockhash");
        const side = { allowSideCheckpoints: true };
        let where: string;
        if (best === source[CHAIN_LENGTH - 1]!.hash) {
          // Still on the source chain: allowed only while no acknowledged fork block beat it.
          assert.ok(acked < reorgAt, `fork block ${acked} was acknowledged but lost`);
          await checkConsistent(node, source, sourceExpected, CHAIN_LENGTH, CHAIN_LENGTH, side);
          where = "source tip";
        } else {
          const lowest = acked >= reorgAt ? acked : reorgAt;
          const height = await checkConsistent(
            node,
            fork,
            forkExpected,
            lowest,
            inFlight || acked,
            side,
          );
          onFork++;
          where = `fork height ${height}`;
        }
        kills.push(
          `kill at ${delayMs.toFixed(0)}/${windowMs.toFixed(0)} ms: fork acked ${acked}, in ` +
            `flight ${inFlight || "-"} (reorg at ${reorgAt}), after restart on the ${where}`,
        );
        await node.stop();
      } finally {
        await node[Symbol.asyncDispose]();
      }
    }
    console.log(kills.join("\n"));
    console.log(
      `${kills.length} kills during a ${CHAIN_LENGTH}-block source chain vs a ${forkLength}-block ` +
        `fork (reorg at fork height ${reorgAt}) in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s: ${onFork} restarts on the fork, ${kills.length - onFork} on the source tip, ` +
        `${reorgInFlight} with the reorganising block in flight`,
    );
  },
);
