/**
 * Regenerates `regtest_chain_30.bin.gz` (see tests/chain_fixture.ts): starts a real regtest node
 * in a temp datadir, mines 30 trained blocks to `heartbeatWallet(REGTEST, 1)` with
 * `generatetoaddress`, and writes every block with its checkpoint. Run it again whenever a
 * consensus change invalidates the fixture:
 *
 * ```sh
 * deno run --allow-net --allow-read --allow-write --allow-env --allow-ffi --allow-run \
 *   tests/make_regtest_chain.ts [KEEP_DATADIR]
 * ```
 *
 * @module
 */
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet } from "../core/consensus/testing/block_builder.ts";
import { fromHex } from "../core/crypto/keccak.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { encodeChainFixture, type FixtureBlock, REGTEST_CHAIN_FIXTURE } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const BLOCKS = 30;
// A datadir argument keeps the node's chain between runs (mining resumes at its height): the
// last blocks take minutes each, and a crash should not cost the ones already mined.
const keep = Deno.args[0];
await using temp = await tempDir("rnt-fixture-");
const datadir = keep ?? temp.path;
if (keep) await Deno.mkdir(keep, { recursive: true });
const node = await NodeProcess.start(datadir);
try {
  const address = encodeAddress(REGTEST, heartbeatWallet(REGTEST, 1).address);
  const started = performance.now();
  // One block per call: a call for several can outlast the RPC client's 15-minute timeout.
  for (let h = await node.rpc<number>("getblockcount"); h < BLOCKS; h++) {
    await node.rpc<string[]>("generatetoaddress", [1, address]);
    const secs = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`mined ${h + 1}/${BLOCKS} after ${secs} s`);
  }
  const blocks: FixtureBlock[] = [];
  for (let h = 1; h <= BLOCKS; h++) {
    const hash = await node.rpc<string>("getblockhash", [h]);
    const block = fromHex(await node.rpc<string>("getblock", [hash, 0]));
    const ckpt = await node.rpc<{ hex: string }>("getcheckpoint", [hash]);
    blocks.push({ block, checkpoint: fromHex(ckpt.hex) });
  }
  const bytes = await encodeChainFixture(blocks);
  await Deno.writeFile(REGTEST_CHAIN_FIXTURE, bytes);
  console.log(`wrote ${REGTEST_CHAIN_FIXTURE}: ${BLOCKS} blocks, ${bytes.length} bytes`);
} finally {
  await node.stop();
}
