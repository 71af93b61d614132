/**
 * A pre-mined regtest chain for tests that exercise what happens *after* mining (sync, relay):
 * real trained blocks with their `.rnet` checkpoints, made once by
 * `tests/make_regtest_chain.ts` with a real `rnt node` and `generatetoaddress`, paying
 * every coinbase to `heartbeatWallet(REGTEST, 1)`. Nodes that import it still check every rule
 * and re-evaluate every checkpoint; only the training is skipped, because mining 30 regtest
 * blocks (the model grows every block) takes over ten minutes on a 2-core llvmpipe machine.
 *
 * File format (then gzip): "RNTCHAIN" ‖ u32le count ‖ count × (u32le blockLen ‖ block ‖
 * u32le checkpointLen ‖ checkpoint).
 *
 * @module
 */
import { toHex } from "../core/crypto/keccak.ts";
import type { NodeProcess } from "./node_process.ts";

/** The committed fixture: 30 trained regtest blocks. */
export const REGTEST_CHAIN_FIXTURE: string =
  new URL("./testdata/regtest_chain_30.bin.gz", import.meta.url).pathname;

const MAGIC = new TextEncoder().encode("RNTCHAIN");

/** One block of the fixture: canonical block bytes and its checkpoint. */
export interface FixtureBlock {
  block: Uint8Array;
  checkpoint: Uint8Array;
}

/** Encodes blocks in the fixture format (gzip-compressed). */
export async function encodeChainFixture(blocks: readonly FixtureBlock[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [MAGIC, u32(blocks.length)];
  for (const b of blocks) {
    parts.push(u32(b.block.length), b.block, u32(b.checkpoint.length), b.checkpoint);
  }
  const raw = new Blob(parts as BlobPart[]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(raw).arrayBuffer());
}

/** Reads a fixture file written by {@linkcode encodeChainFixture}. */
export async function readChainFixture(path = REGTEST_CHAIN_FIXTURE): Promise<FixtureBlock[]> {
  const gz = await Deno.readFile(path);
  const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
  const raw = new Uint8Array(await new Response(stream).arrayBuffer());
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (toHex(raw.subarray(0, MAGIC.length)) !== toHex(MAGIC)) {
    throw new Error(`${path}: not a chain fixture`);
  }
  let at = MAGIC.length;
  const take = (): Uint8Array => {
    const n = view.getUint32(at, true);
    at += 4;
    if (at + n > raw.length) throw new Error(`${path}: truncated`);
    const out = raw.subarray(at, at + n);
    at += n;
    return out;
  };
  const count = view.getUint32(at, true);
  at += 4;
  const blocks: FixtureBlock[] = [];
  for (let i = 0; i < count; i++) blocks.push({ block: take(), checkpoint: take() });
  return blocks;
}

/** Submits the first `count` fixture blocks to a node with `submitblock`; each must connect. */
export async function importChainFixture(
  node: NodeProcess,
  blocks: readonly FixtureBlock[],
  count = blocks.length,
): Promise<void> {
  for (const [i, b] of blocks.slice(0, count).entries()) {
    const result = await node.rpc("submitblock", [toHex(b.block), toHex(b.checkpoint)]);
    if (result !== null) throw new Error(`fixture block ${i + 1}: submitblock returned ${result}`);
  }
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}
