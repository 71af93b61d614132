/**
 * Crash safety of a real `rnt node`: a source node trains a short regtest chain (with a spend),
 * then a fresh node is fed those blocks with `submitblock` and killed with SIGKILL at seeded
 * random moments, 20 times. After every restart the chainstate must be consistent and complete:
 * the tip is one of the fed blocks, every acknowledged block is on the active chain, the active
 * chain is the source chain, and `gettxoutsetinfo` (hash, counts, total, supply) equals an
 * in-memory replay (TestChain) of the same blocks up to that tip. Feeding then continues from
 * where the node stands; a node that reached the end of the chain is stopped cleanly and the next
 * round starts on a fresh data directory.
 */
import assert from "node:assert/strict";
import { outPointFromKey } from "../core/chain/keys.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, signTx, TestChain } from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { type Block, blockId, decodeBlock } from "../core/primitives/block.ts";
import { encodeTx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { formatRnt } from "../core/primitives/amount.ts";
import { utxoSetStats } from "../rpc/methods/utxo_set.ts";
import { gpuTest, seededRandom } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const params = REGTEST;
const owner = heartbeatWallet(params, 0);
const dest = heartbeatWallet(params, 1);
/** Blocks of the source chain: the last one spends the (then mature) coinbase of block 1. */
const CHAIN_LENGTH = params.coinbaseMaturity + 1;
const KILLS = 20;
const SEED = 0xc4a5;
const FEE = 10_000n;
/** Chance that the restart after a kill is killed too, at a random moment of its start. */
const STARTUP_KILL_ODDS = 0.25;

type Json = Record<string, unknown>;

/** A source block as fed to the node under test. */
interface FedBlock {
  readonly hash: string;
  readonly blockHex: string;
  readonly checkpointHex: string;
}

/** What gettxoutsetinfo must say at each height, from the replay. */
interface Expected {
  readonly height: number;
  readonly bestblock: string;
  readonly transactions: number;
  readonly txouts: number;
  readonly hash_serialized: string;
  readonly total_amount_resonances: bigint;
  readonly minted: string;
  readonly returned: string;
}

/** Trains the source chain on its own node and exports every block with its checkpoint. */
async function mineSourceChain(): Promise<FedBlock[]> {
  await using dir = await tempDir("rnt-crash-source-");
  await using node = await NodeProcess.start(dir.path);
  const to = encodeAddress(params, owner.address);
  const hashes = await node.rpc<string[]>("generatetoaddress", [CHAIN_LENGTH - 1, to]);
  const first = await node.rpc<Json>("getblock", [hashes[0], 2]);
  const cb = (first.tx as Json[])[0]!;
  const value = BigInt((cb.vout as Json[])[0]!.value_resonances as number);
  const half = (value - FEE) / 2n;
  const spend = signTx(
    params,
    {
      version: 1,
      inputs: [{ prevout: { txid: fromHex(cb.txid as string), vout: 0 }, sequence: 0 }],
      outputs: [
        { value: half, address: dest.address },
        { value: value - FEE - half, address: owner.address },
      ],
      locktime: 0,
    },
    [{ value, address: owner.address }],
    [owner],
  );
  const spendId = await node.rpc<string>("sendrawtransaction", [toHex(encodeTx(spend))]);
  assert.equal(spendId, toHex(txid(params.magic, spend)));
  hashes.push(...await node.rpc<string[]>("generatetoaddress", [1, to]));
  const last = await node.rpc<Json>("getblock", [hashes[CHAIN_LENGTH - 1], 1]);
  assert.deepEqual(last.tx as string[], [(last.tx as string[])[0], spendId]);
  const blocks: FedBlock[] = [];
  for (const hash of hashes) {
    blocks.push({
      hash,
      blockHex: await node.rpc<string>("getblock", [hash, 0]),
      checkpointHex: (await node.rpc<Json>("getcheckpoint", [hash])).hex as string,
    });
  }
  await node.stop();
  return blocks;
}

/** Replays `blocks` in memory; entry h of the result is the expected state at height h. */
async function replay(blocks: readonly Block[]): Promise<Expected[]> {
  const chain = new TestChain(params);
  chain.nowSecs = Math.max(chain.nowSecs, Math.floor(Date.now() / 1000) + 3600);
  const out: Expected[] = [];
  const snapshot = () => {
    const stats = utxoSetStats(
      [...chain.view.entries].map(([k, e]) => [outPointFromKey(k), e] as const),
    );
    out.push({
      height: chain.tip.height,
      bestblock: toHex(chain.tip.hash),
      transactions: stats.transactions,
      txouts: stats.txouts,
      hash_serialized: toHex(stats.hashSerialized),
      total_amount_resonances: stats.totalResonances,
      minted: formatRnt(chain.tip.mintedResonances),
      returned: formatRnt(chain.tip.returnedResonances),
    });
  };
  snapshot();
  for (const block of blocks) {
    await chain.accept(block);
    snapshot();
  }
  return out;
}

/**
 * Checks a restarted node: its tip is a source block no lower than `atLeast` and no higher than
 * `atMost`, its active chain is the source chain, and its UTXO set and supply equal the replay.
 * Returns the tip height.
 */
async function checkConsistent(
  node: NodeProcess,
  source: readonly FedBlock[],
  expected: readonly Expected[],
  atLeast: number,
  atMost: number,
): Promise<number> {
  const height = await node.rpc<number>("getblockcount");
  assert.ok(height >= atLeast, `tip ${height} lost acknowledged block ${atLeast}`);
  assert.ok(height <= atMost, `tip ${height} above the highest block fed (${atMost})`);
  const best = await node.rpc<string>("getbestblockhash");
  assert.equal(best, height === 0 ? expected[0]!.bestblock : source[height - 1]!.hash);
  for (let h = 1; h <= height; h++) {
    assert.equal(await node.rpc("getblockhash", [h]), source[h - 1]!.hash, `height ${h}`);
  }
  const info = await node.rpc<Json>("gettxoutsetinfo");
  const want = expected[height]!;
  assert.deepEqual({
    height: info.height,
    bestblock: info.bestblock,
    transactions: info.transactions,
    txouts: info.txouts,
    hash_serialized: info.hash_serialized,
    total_amount_resonances: BigInt(info.total_amount_resonances as number),
    minted: (info.minted as number).toFixed(8),
    returned: (info.returned as number).toFixed(8),
  }, want);
  // Checkpoint files: exactly genesis and the active chain's (no temp file, no orphan).
  const files: string[] = [];
  for await (const e of Deno.readDir(`${node.datadir}/checkpoints`)) files.push(e.name);
  const hashes = [expected[0]!.bestblock, ...source.slice(0, height).map((b) => b.hash)];
  assert.deepEqual(files.sort(), hashes.map((h) => `${h}.rnet`).sort());
  const model = await node.rpc<Json>("getmodelinfo");
  assert.equal(model.checkpoint_available, true, "tip checkpoint missing");
  return height;
}

gpuTest(
  "rnt node killed with SIGKILL 20 times while connecting blocks restarts with a consistent chainstate and loses no acknowledged block",
  async () => {
    const t0 = performance.now();
    const source = await mineSourceChain();
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
      `source chain of ${CHAIN_LENGTH} blocks mined in ${mineSecs.toFixed(1)} s; ` +
        `${kills.length} kills in ${killSecs.toFixed(1)} s: ${inFlightKills} during a ` +
        `submitblock (${landedAfterStore} after the block was stored but before it was ` +
        `connected, ${landedAfterConnect} after it was connected), ${startupKills} during a ` +
        `restart; ${rounds} rounds, ` +
        `${starts} node starts, ${submits} acknowledged submits (mean ${submitMs.toFixed(0)} ms)`,
    );
    assert.equal(kills.length, KILLS);
  },
);
