/**
 * P2P sync rate: N regtest blocks (default 100) with real checkpoints (scripted losses, so no
 * model evaluation) synced over loopback between two in-process nodes (chainstate on LevelDB +
 * peer manager each), headers-first with checkpoint chunks; reported as blocks/s and checkpoint
 * MB/s, next to the raw encrypted-transport throughput (1 MiB frames) and the rate of accepting
 * the same blocks straight into a fresh chainstate (no network), both measured in the same run.
 * The chain is built once per run: the serving node's own accepting of it is the local rate.
 * Both nodes live in this one process (one JS thread), so the sync rate includes the server.
 *
 * Run: deno run --allow-read --allow-write --allow-env --allow-ffi --allow-net=127.0.0.1 \
 *        bench/p2p_bench.ts [blocks=100]
 */
import { REGTEST } from "../core/consensus/params.ts";
import { ScriptedEvaluator } from "../core/consensus/testing/block_builder.ts";
import { mineTestBlocks, startTestNode } from "../net/connman/_test_nodes.ts";
import { acceptSecure, connectSecure } from "../net/transport/deno_conn.ts";
import { createNodeIdentity } from "../net/transport/node_identity.ts";
import { SecureTransport } from "../net/transport/secure_transport.ts";

const MIB = 1024 * 1024;
const blocksWanted = Number(Deno.args[0] ?? 100);

/** MB/s of 1 MiB encrypted frames over loopback TCP (`totalMib` of them). */
async function rawTransportMbps(totalMib: number): Promise<number> {
  const magic = REGTEST.magic;
  const server = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
  const client = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [out, inc] = await Promise.all([
    connectSecure(client, { hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept().then((conn) => acceptSecure(server, conn)),
  ]);
  const payload = new Uint8Array(MIB).map((_, i) => (i * 131) & 0xff);
  const started = performance.now();
  const receiving = (async () => {
    for (let i = 0; i < totalMib; i++) await inc.receive();
  })();
  for (let i = 0; i < totalMib; i++) await out.send(payload);
  await receiving;
  const secs = (performance.now() - started) / 1000;
  out.close();
  inc.close();
  listener.close();
  return totalMib * MIB / 1e6 / secs;
}

const evaluator = new ScriptedEvaluator();
const blocks = await mineTestBlocks(REGTEST, evaluator, blocksWanted);
const ckptBytes = blocks.reduce((s, b) => s + b.checkpoint.length, 0);
// Both keep every checkpoint (regtest nodes keep the last 32 by default; a node syncing from a
// pruning peer would accept the older blocks without their checkpoints, not what is measured).
const a = await startTestNode(REGTEST, evaluator, [], {
  listen: { hostname: "127.0.0.1", port: 0 },
  prune: 0,
});
// The serving node accepts the chain first, straight into its fresh chainstate: the ceiling
// without the network.
const localStarted = performance.now();
for (const x of blocks) await a.node.chainstate.acceptBlock(x.block, x.checkpoint);
const localSecs = (performance.now() - localStarted) / 1000;
const started = performance.now();
const b = await startTestNode(REGTEST, evaluator, [], {
  connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
  prune: 0,
});
while (b.node.chainstate.height() < blocksWanted) await new Promise((r) => setTimeout(r, 5));
const secs = (performance.now() - started) / 1000;
await b.close();
await a.close();
const raw = await rawTransportMbps(Math.max(16, Math.ceil(ckptBytes / MIB)));
const syncMbps = ckptBytes / 1e6 / secs;
console.log(
  JSON.stringify({
    blocks: blocksWanted,
    checkpoint_mb: +(ckptBytes / 1e6).toFixed(2),
    sync_secs: +secs.toFixed(3),
    blocks_per_sec: +(blocksWanted / secs).toFixed(1),
    checkpoint_mb_per_sec: +syncMbps.toFixed(1),
    raw_transport_mb_per_sec: +raw.toFixed(1),
    ratio_to_raw: +(syncMbps / raw).toFixed(3),
    local_accept_blocks_per_sec: +(blocksWanted / localSecs).toFixed(1),
    ratio_to_local_accept: +(localSecs / secs).toFixed(3),
  }),
);
