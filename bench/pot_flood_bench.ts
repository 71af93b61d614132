/**
 * Rejecting costs no more than faking? (issue 14, item 5), measured on real processes: a victim
 * `rnt node --regtest` and an honest node connected to it. Honest blocks (trained fixture
 * checkpoints, headers with exact claims) are handed to the honest node by RPC and timed until
 * the victim's log says it connected them. The attack: `ATTACKERS` concurrent loops, each
 * connecting with a fresh node id from a new loopback port, sending one forged block on the
 * victim's tip (a valid header claiming 50 % progress over a made-up parent loss, with a random
 * decodable checkpoint) and waiting to be dropped (≤ 5 s), as fast as the victim allows.
 *
 * Phases, one run: idle 5 s (the victim's background CPU rate); `HONEST_BLOCKS` honest blocks
 * without attack (baseline latency); the flood alone for `FLOOD_SECS`; the flood while as many
 * further honest blocks come.
 *
 * Printed: honest accept latency under flood / without; the victim's CPU share (utime + stime
 * of all its threads from /proc/PID/stat, over the wall time of each phase); the outcome of
 * every forged block from the victim's log (`sample-loss-mismatch`: evaluated and rejected;
 * stored unevaluated on a side branch; never fetched) and evaluations per forged block and per
 * connection; victim CPU seconds per attacker connection (flood alone, above idle) against the
 * attacker's CPU seconds per connection (this process: handshake, send) plus the forging of one
 * block — a signature for the claim-only forgery, or the two exact evaluations a trained
 * checkpoint whose child claim is off by one µnat needs.
 *
 * Also printed: the flood-alone phase in 10 s slices (victim CPU share, forged evaluations), which
 * shows the per-address-group evaluation budget: a burst, then a bounded share (all attackers
 * here come from loopback, one address group). FLOOD_SECS above the 30 s burst shows the bound.
 *
 * Run (about a minute; a 2-core machine shared with other work skews CPU shares, so compare
 * the ratios of one run):
 *   deno run --allow-net --allow-read --allow-write --allow-env --allow-ffi --allow-run \
 *     bench/pot_flood_bench.ts [ATTACKERS=8] [HONEST_BLOCKS=4] [FLOOD_SECS=10]
 *
 * @module
 */
import process from "node:process";
import { REGTEST } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { encodeBlock } from "../core/primitives/block.ts";
import { readChainFixture } from "../tests/chain_fixture.ts";
import { tempDir } from "../tests/helpers.ts";
import {
  connectArgs,
  type P2pNode,
  startP2pNode,
  stopAll,
  waitUntil,
} from "../tests/p2p_helpers.ts";
import {
  BlockForge,
  type BlockWithCheckpoint,
  connectAttacker,
  rejectedBlocks,
} from "../tests/pot_flood_peers.ts";

const params = REGTEST;
const attackers = Number(Deno.args[0] ?? 8);
const honestPerPhase = Number(Deno.args[1] ?? 4);
const floodSecs = Number(Deno.args[2] ?? 10);

const clockTicks = Number(
  new TextDecoder().decode(
    (await new Deno.Command("getconf", { args: ["CLK_TCK"] }).output()).stdout,
  )
    .trim(),
) || 100;

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/PID/stat read
 * by `cat` (Deno asks for --allow-all to read /proc itself).
 */
async function processCpuSecs(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`] }).output();
  const stat = new TextDecoder().decode(out.stdout);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** The machine's 1/5/15-minute load average (/proc/loadavg read by `cat`). */
async function loadAverage(): Promise<string> {
  const out = await new Deno.Command("cat", { args: ["/proc/loadavg"] }).output();
  return new TextDecoder().decode(out.stdout).split(" ").slice(0, 3).join(" ");
}

/** CPU seconds this (attacker) process has used so far. */
function ownCpuSecs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The time (ms since epoch) of the victim's `connected block … hash=<hash>` log line. */
function connectedAtMs(log: string, hash: string): number | undefined {
  const m = log.match(new RegExp(`^(\\S+) connected block height=\\d+ hash=${hash}`, "m"));
  return m ? Date.parse(m[1]!) : undefined;
}

/** Times (ms since epoch) of the log's `rejected block … sample-loss-mismatch` lines. */
function rejectedAtMs(log: string): number[] {
  return [...log.matchAll(/^(\S+) rejected block [0-9a-f]{64} height=\d+: sample-loss-mismatch/gm)]
    .map((m) => Date.parse(m[1]!));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const fixture = await readChainFixture();
const forge = await BlockForge.open(params);
const honestBlocks: BlockWithCheckpoint[] = [];
for (let i = 0; i < 2 * honestPerPhase; i++) {
  honestBlocks.push(await forge.honest(fixture[i]!.checkpoint));
}

// What one forged block costs the forger, in this process's CPU time.
let cpu0 = ownCpuSecs();
const forgeCount = 50;
for (let i = 0; i < forgeCount; i++) forge.hugeClaim(10_000 + i, 500_000, 1);
const forgeHugeCpu = (ownCpuSecs() - cpu0) / forgeCount;
cpu0 = ownCpuSecs();
const offByOneCount = 5;
for (let i = 0; i < offByOneCount; i++) await forge.offByOne(fixture[1]!.checkpoint, i, 1);
const forgeOffByOneCpu = (ownCpuSecs() - cpu0) / offByOneCount;

await using dv = await tempDir();
await using dh = await tempDir();
const nodes: P2pNode[] = [];
try {
  const victim = await startP2pNode(dv.path);
  nodes.push(victim);
  const honest = await startP2pNode(dh.path, connectArgs(victim));
  nodes.push(honest);
  await waitUntil(
    async () => (await victim.proc.rpc<number>("getconnectioncount")) === 1,
    30_000,
    () => victim.proc.log,
  );
  let victimHeight = 0;

  /** Per honest block: ms from the honest node's connect to the victim's. */
  const relayMs = new Map<number, number>();
  /** Per honest block: forged blocks the victim rejected after evaluating them in that time. */
  const queuedAhead = new Map<number, number>();
  /** Hands honest block `i` to the honest node; ms until the victim connected it. */
  const honestLatencyMs = async (i: number): Promise<number> => {
    const b = honestBlocks[i]!;
    const started = Date.now();
    const r = await honest.proc.rpc("submitblock", [
      toHex(encodeBlock(b.block)),
      toHex(b.checkpoint),
    ]);
    if (r !== null) throw new Error(`honest block ${i + 1}: submitblock returned ${r}`);
    await waitUntil(
      () => Promise.resolve(connectedAtMs(victim.proc.log, b.hash) !== undefined),
      120_000,
      () => victim.proc.log.slice(-3000),
    );
    victimHeight = i + 1;
    const relayed = connectedAtMs(honest.proc.log, b.hash)!;
    const connected = connectedAtMs(victim.proc.log, b.hash)!;
    relayMs.set(i, connected - relayed);
    queuedAhead.set(
      i,
      rejectedAtMs(victim.proc.log).filter((t) => t > relayed && t <= connected).length,
    );
    return connected - started;
  };

  /** Runs `phase`, returning its wall seconds and the victim's CPU seconds meanwhile. */
  const measured = async <T>(phase: () => Promise<T>): Promise<[T, number, number]> => {
    const c = await processCpuSecs(victim.proc.pid);
    const t = performance.now();
    const out = await phase();
    return [out, (performance.now() - t) / 1000, (await processCpuSecs(victim.proc.pid)) - c];
  };

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const honestRun = async (from: number): Promise<number[]> => {
    const lat: number[] = [];
    for (let i = from; i < from + honestPerPhase; i++) lat.push(await honestLatencyMs(i));
    return lat;
  };

  // Every loop connects with a fresh node id (a new port), sends one forged block on the
  // victim's tip and waits to be dropped, as fast as the victim lets it.
  const forgedSent: string[] = [];
  let connections = 0, failed = 0, variant = 0;
  const flood = () => {
    let stop = false;
    const loops = Array.from({ length: attackers }, async () => {
      while (!stop) {
        try {
          const a = await connectAttacker(params, victim.port);
          connections++;
          const fake = forge.hugeClaim(variant++, 500_000, victimHeight);
          forgedSent.push(fake.hash);
          a.push(fake);
          await Promise.race([a.peer.closed, sleep(5_000)]);
          a.peer.disconnect("done");
        } catch {
          failed++;
        }
      }
    });
    return async () => {
      stop = true;
      await Promise.all(loops);
    };
  };

  await sleep(2000); // start-up work settles
  // Idle: no blocks, no attack (the victim's background rate).
  const [, idleWall, idleCpu] = await measured(() => sleep(5000));
  // Baseline: honest blocks one after another, no attack.
  const [baseLat, baseWall, baseCpu] = await measured(() => honestRun(0));
  // Flood alone, then flood while the next honest blocks come.
  const attackerCpu0 = ownCpuSecs();
  const stopFlood = flood();
  // The flood-alone phase in 10 s slices: the victim's CPU share and forged evaluations per
  // slice show the evaluation budget's burst and then its bound (PROTOCOL §8.11).
  const slices: { share: number; evaluations: number }[] = [];
  const [floodConns, floodWall, floodCpu] = await measured(async () => {
    const c0 = connections;
    for (let left = floodSecs; left > 0; left -= 10) {
      const secs = Math.min(10, left);
      const rejectedBefore = rejectedAtMs(victim.proc.log).length;
      const [, wall, cpu] = await measured(() => sleep(secs * 1000));
      slices.push({
        share: cpu / wall,
        evaluations: rejectedAtMs(victim.proc.log).length - rejectedBefore,
      });
    }
    return connections - c0;
  });
  const floodForged = forgedSent.length;
  const [floodLat, mixWall, mixCpu] = await measured(() => honestRun(honestPerPhase));
  await stopFlood();
  const attackerCpu = ownCpuSecs() - attackerCpu0 - forgedSent.length * forgeHugeCpu;
  await sleep(2000);

  const rejected = rejectedBlocks(victim.proc.log);
  const reasons = new Map<string, number>();
  for (const h of forgedSent) {
    const r = rejected.get(h) ??
      (victim.proc.log.includes(`block ${h} at height`) ? "stored, not evaluated" : "not fetched");
    reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  const evaluatedForged = forgedSent.filter((h) => rejected.get(h) === "sample-loss-mismatch");
  const bans = (await victim.proc.rpc<unknown[]>("listbanned")).length;
  const evalSecs = [...victim.proc.log.matchAll(/verified height=\d+ .* verify=([\d.]+)s/g)]
    .map((m) => Number(m[1]));

  const idleShare = idleCpu / idleWall;
  const baseShare = baseCpu / baseWall;
  const floodShare = floodCpu / floodWall;
  const mixShare = mixCpu / mixWall;
  const victimPerConn = Math.max(0, floodCpu - idleShare * floodWall) / Math.max(1, floodConns);
  const attackerPerConn = attackerCpu / Math.max(1, connections);
  const perHonest = Math.max(0, baseCpu - idleShare * baseWall) / honestPerPhase;
  const f = (x: number, d = 3) => x.toFixed(d);
  console.log(
    `pot_flood_bench: regtest K=${params.evalSampleWindows} W=${params.validationWindowBytes}, ` +
      `${attackers} attacker loops, ${honestPerPhase} honest blocks per phase, ` +
      `flood alone ${floodSecs} s; load average ${await loadAverage()}`,
  );
  console.log(
    `honest accept latency ms (median): no attack ${f(median(baseLat), 0)} ` +
      `[${baseLat.join(", ")}], under flood ${f(median(floodLat), 0)} ` +
      `[${floodLat.join(", ")}] -> ratio ${f(median(floodLat) / median(baseLat), 2)}`,
  );
  console.log(
    `victim CPU share (CPU s / wall s): idle ${f(idleShare)}, honest blocks ${f(baseShare)}, ` +
      `flood alone ${f(floodShare)} (${f(floodCpu, 2)} / ${f(floodWall, 1)}), flood + honest ` +
      `${f(mixShare)} -> flood alone / honest blocks ${f(floodShare / baseShare, 2)}`,
  );
  console.log(
    `attacker connections ${connections} (${floodConns} in the flood-alone window; failed ` +
      `${failed}), forged blocks ${forgedSent.length} (${floodForged} alone), outcomes ` +
      `${JSON.stringify(Object.fromEntries(reasons))}; evaluations per forged block ` +
      `${f(evaluatedForged.length / Math.max(1, forgedSent.length), 2)}, per connection ` +
      `${f(evaluatedForged.length / Math.max(1, connections), 2)}; node ids discouraged ${bans}`,
  );
  console.log(
    `victim CPU s per attacker connection (flood alone, above idle) ${f(victimPerConn, 4)} ` +
      `vs per honest block ${f(perHonest, 4)}; attacker CPU s per connection (handshake, ` +
      `send) ${f(attackerPerConn, 4)}, to forge a block: claim only ${f(forgeHugeCpu, 4)}, ` +
      `trained checkpoint off by one µnat ${f(forgeOffByOneCpu, 4)} -> victim / attacker: ` +
      `claim-only ${f(victimPerConn / (forgeHugeCpu + attackerPerConn), 2)}, off-by-one ` +
      `${f(victimPerConn / (forgeOffByOneCpu + attackerPerConn), 2)}`,
  );
  const phase = (from: number) => Array.from({ length: honestPerPhase }, (_, k) => from + k);
  const relayBase = phase(0).map((i) => relayMs.get(i)!);
  const relayFlood = phase(honestPerPhase).map((i) => relayMs.get(i)!);
  console.log(
    `honest relay ms (honest node connected -> victim connected, median): no attack ` +
      `${f(median(relayBase), 0)} [${relayBase.join(", ")}], under flood ` +
      `${f(median(relayFlood), 0)} [${relayFlood.join(", ")}] -> ratio ` +
      `${f(median(relayFlood) / median(relayBase), 2)}; forged evaluations in that window ` +
      `[${phase(honestPerPhase).map((i) => queuedAhead.get(i)!).join(", ")}]`,
  );
  console.log(
    `honest verify s (victim log, median of ${evalSecs.length}): ${f(median(evalSecs))}`,
  );
  console.log(
    `flood alone per 10 s slice, victim CPU share / forged evaluations: ` +
      slices.map((x) => `${f(x.share, 2)}/${x.evaluations}`).join("  "),
  );
} finally {
  await stopAll(nodes);
}
