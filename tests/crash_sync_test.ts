/**
 * kill -9 during checkpoint download: a source node holds the first blocks of the pre-mined
 * regtest fixture; a fresh node syncs them over P2P (headers, blocks, `.rnet` checkpoints) and is
 * killed with SIGKILL at seeded random moments. After every restart (same datadir, connected to
 * the source again) its chainstate must be consistent and complete: the tip is a fixture block
 * no lower than the last height it reported over RPC before the kill, the active chain is the
 * fixture's, `gettxoutsetinfo` equals an in-memory replay, and no temp file is left (the check
 * runs on a restart without peers, then the node restarts connected and syncs on). When a node
 * reaches the end it is stopped and the next round starts on a fresh data directory.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { blockId, decodeBlock } from "../core/primitives/block.ts";
import { gpuTest, seededRandom } from "../gpu/testing.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import {
  checkConsistent,
  crashKills,
  type FedBlock,
  replay,
  tempCheckpointFiles,
} from "./crash_harness.ts";
import { freePort, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";

const params = REGTEST;
const KILLS = crashKills();
const SEED = 0x5c1c;
/** Fixture blocks the source serves (the model grows every block: later ones cost more). */
const BLOCKS = 8;

gpuTest(
  `rnt node killed with SIGKILL ${KILLS} times while syncing blocks and checkpoints from a peer restarts consistent and keeps every block it had reported`,
  async () => {
    const fixture = (await readChainFixture()).slice(0, BLOCKS);
    const blocks = fixture.map((b) => decodeBlock(b.block, params));
    const chain: FedBlock[] = fixture.map((b, i) => ({
      hash: toHex(blockId(params.magic, blocks[i]!.header)),
      blockHex: toHex(b.block),
      checkpointHex: toHex(b.checkpoint),
    }));
    const expected = await replay(blocks);
    await using sourceDir = await tempDir("rnt-crash-sync-source-");
    const sourcePort = freePort();
    await using source = await NodeProcess.start(sourceDir.path, freePort(), [
      "--port",
      String(sourcePort),
      "--connect",
      "0",
    ]);
    await importChainFixture(source, fixture);
    const connect = ["--connect", `127.0.0.1:${sourcePort}`];

    const rand = seededRandom(SEED);
    const kills: string[] = [];
    // Running mean of the sync time of one block, for the kill window. The first guess is near
    // what CI measures (about 260 ms): a larger one puts most kills of the first rounds after
    // the end of the sync, and each such round costs a node start and a whole sync.
    let blockMs = 300;
    let rounds = 0;
    let swept = 0; // temp checkpoint files left by a kill and removed by the restart
    const t0 = performance.now();
    while (kills.length < KILLS) {
      rounds++;
      await using dir = await tempDir("rnt-crash-sync-");
      let node = await NodeProcess.start(dir.path, freePort(), connect);
      try {
        let height = 0;
        while (height < BLOCKS && kills.length < KILLS) {
          // Within the expected rest of the sync (a little short of it, so most kills land).
          const windowMs = blockMs * (BLOCKS - height) * 0.9;
          const delayMs = rand() * windowMs;
          const started = performance.now();
          const from = height;
          let reported = height;
          // Poll the height until the kill moment (or the end of the chain).
          while (performance.now() - started < delayMs && reported < BLOCKS) {
            reported = await node.rpc<number>("getblockcount");
            await new Promise((r) => setTimeout(r, 50));
          }
          if (reported > from) {
            blockMs += ((performance.now() - started) / (reported - from) - blockMs) / 4;
          }
          if (reported >= BLOCKS) {
            height = await checkConsistent(node, chain, expected, BLOCKS, BLOCKS, {
              allowSideCheckpoints: true,
            });
            break;
          }
          assert.equal((await node.stop("SIGKILL")).signal, "SIGKILL");
          const leftovers = await tempCheckpointFiles(dir.path);
          swept += leftovers.length;
          // The check runs on a restart without peers (a syncing node would move under it);
          // then the node restarts connected and the sync goes on.
          node = await NodeProcess.start(dir.path, freePort(), ["--connect", "0"]);
          height = await checkConsistent(node, chain, expected, reported, BLOCKS, {
            allowSideCheckpoints: true,
          });
          await node.stop();
          node = await NodeProcess.start(dir.path, freePort(), connect);
          kills.push(
            `round ${rounds} kill at ${delayMs.toFixed(0)}/${windowMs.toFixed(0)} ms: reported ` +
              `${reported}, tip after restart ${height}`,
          );
        }
        if (height < BLOCKS) {
          await waitUntil(
            async () => await node.rpc<number>("getblockcount") === BLOCKS,
            120_000,
            () => node.log.slice(-3000),
          );
        }
        await checkConsistent(node, chain, expected, BLOCKS, BLOCKS, {
          allowSideCheckpoints: true,
        });
        await node.stop();
      } finally {
        await node[Symbol.asyncDispose]();
      }
    }
    await source.stop();
    console.log(kills.join("\n"));
    console.log(
      `${kills.length} kills while syncing ${BLOCKS} fixture blocks over P2P in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s, ${rounds} rounds, mean ${blockMs.toFixed(0)} ms per block; ${swept} temp ` +
        `checkpoint files left by kills, all removed by the restart`,
    );
  },
);
