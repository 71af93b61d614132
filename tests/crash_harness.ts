/**
 * Shared parts of the kill -9 campaigns (`crash_*_test.ts`): the number of kills (CI runs a few,
 * `deno task crash` the full 20 per campaign), an in-memory replay of a block list giving the
 * expected `gettxoutsetinfo` at every height, and the consistency check of a restarted node
 * against a chain it was fed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { outPointFromKey } from "../core/chain/keys.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { TestChain } from "../core/consensus/testing/block_builder.ts";
import { toHex } from "../core/crypto/keccak.ts";
import type { Block } from "../core/primitives/block.ts";
import { formatRnt } from "../core/primitives/amount.ts";
import { utxoSetStats } from "../rpc/methods/utxo_set.ts";
import type { NodeProcess } from "./node_process.ts";

/** Kills per campaign: `CRASH_KILLS` (the bench task sets 20), else 3 to keep CI short. */
export function crashKills(): number {
  const raw = Deno.env.get("CRASH_KILLS");
  const n = raw === undefined ? 3 : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`bad CRASH_KILLS ${raw}`);
  return n;
}

/** A block as fed to a node under test. */
export interface FedBlock {
  /** Block id, hex. */
  readonly hash: string;
  /** Canonical block bytes, hex. */
  readonly blockHex: string;
  /** Its checkpoint, hex. */
  readonly checkpointHex: string;
}

/** What gettxoutsetinfo must say at one height, from the replay. */
export interface Expected {
  readonly height: number;
  readonly bestblock: string;
  readonly transactions: number;
  readonly txouts: number;
  readonly hash_serialized: string;
  readonly total_amount_resonances: bigint;
  readonly minted: string;
  readonly returned: string;
}

type Json = Record<string, unknown>;

/** Replays `blocks` (a chain from regtest genesis) in memory; entry h is the state at height h. */
export async function replay(blocks: readonly Block[]): Promise<Expected[]> {
  const chain = new TestChain(REGTEST);
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

/** How {@linkcode checkConsistent} treats checkpoint files off the active chain. */
export interface ConsistencyOptions {
  /**
   * Allow checkpoint files of blocks off the active chain (a side branch the node stored); by
   * default the directory must hold exactly genesis and the active chain's files.
   */
  readonly allowSideCheckpoints?: boolean;
}

/** The temp checkpoint files (`*.tmp-*`) in a datadir's `checkpoints/`. */
export async function tempCheckpointFiles(datadir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${datadir}/checkpoints`)) {
    if (e.name.includes(".tmp-")) out.push(e.name);
  }
  return out;
}

/**
 * Checks a restarted node against `source` (the chain it was fed, heights 1..n): its tip is a
 * source block of height in [`atLeast`, `atMost`], its active chain is the source chain, its
 * UTXO set and supply equal the replay, the tip checkpoint is there, and no temp file is left in
 * `checkpoints/`. Returns the tip height.
 */
export async function checkConsistent(
  node: NodeProcess,
  source: readonly FedBlock[],
  expected: readonly Expected[],
  atLeast: number,
  atMost: number,
  options: ConsistencyOptions = {},
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
  const files: string[] = [];
  for await (const e of Deno.readDir(`${node.datadir}/checkpoints`)) files.push(e.name);
  const active = [expected[0]!.bestblock, ...source.slice(0, height).map((b) => b.hash)]
    .map((h) => `${h}.rnet`);
  if (options.allowSideCheckpoints) {
    for (const f of files) assert.match(f, /^[0-9a-f]{64}\.rnet$/, `stray file ${f}`);
    for (const f of active) assert.ok(files.includes(f), `active checkpoint ${f} missing`);
  } else {
    assert.deepEqual(files.sort(), active.sort());
  }
  const model = await node.rpc<Json>("getmodelinfo");
  assert.equal(model.checkpoint_available, true, "tip checkpoint missing");
  return height;
}

/** Copies directory `from` to `to` (a stopped node's datadir as a campaign's starting point). */
export async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}
