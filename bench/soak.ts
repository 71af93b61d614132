/**
 * Soak: four real regtest nodes on loopback for `SOAK_SECS` (default 600) seconds — two of them
 * mining (`generatetoaddress`, one block at a time), a transaction generator paying between two
 * test wallets through random nodes, random restarts (SIGTERM, sometimes SIGKILL) and random
 * partitions ({A, B} | {C, D}, one miner on each side, so forks and reorganisations happen).
 * When the two sides mined apart, they converge only once one leads by the reorg margin
 * (PROTOCOL §6.3), so while settling, one block at a time is mined on the side with the most work.
 * Every `SOAK_CHECK_SECS` (default 30) each node's supply invariant is checked (UTXO total =
 * minted − returned, minted ≤ 100 RNT per block) and its RSS sampled (`ps`). At the end the
 * partition heals and every node must reach the same best block, the same UTXO set hash and the
 * same mempool. Prints a report with the RSS table; exits 1 on any failure.
 *
 * Nodes run with `--connect 0` (no automatic outbound); the driver builds the links with
 * `addnode … onetry` and cuts them with `disconnectnode`, so a partition holds until it heals.
 * The chain starts from the pre-mined fixture (30 blocks, coinbases to heartbeat wallet 1), so
 * the generator has mature coins from the first second and mining runs at the full regtest size.
 *
 * Run: `deno task soak` (SOAK_SECS, SOAK_SEED, SOAK_CHECK_SECS, SOAK_FIXTURE_BLOCKS, SOAK_RESTART).
 *
 * @module
 */
import { REGTEST } from "../core/consensus/params.ts";
import {
  heartbeatWallet,
  signTx,
  type TestWallet,
} from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { encodeTx } from "../core/primitives/tx.ts";
import { seededRandom } from "../gpu/testing.ts";
import { importChainFixture, readChainFixture } from "../tests/chain_fixture.ts";
import { freePort, tempDir } from "../tests/helpers.ts";
import { NodeProcess } from "../tests/node_process.ts";

const params = REGTEST;
const NAMES = ["A", "B", "C", "D"] as const;
const DURATION_SECS = Number(Deno.env.get("SOAK_SECS") ?? 600);
const CHECK_SECS = Number(Deno.env.get("SOAK_CHECK_SECS") ?? 30);
const SEED = Number(Deno.env.get("SOAK_SEED") ?? 1);
/** Fixture blocks to start from (≥ 12 so the generator has a mature coin; fewer = a smaller, faster-to-train model). */
const FIXTURE_BLOCKS = Number(Deno.env.get("SOAK_FIXTURE_BLOCKS") ?? 30);
/** Nodes the chaos may restart (default A, C, D; B never, so its RSS is one process). */
const RESTARTABLE = (Deno.env.get("SOAK_RESTART") ?? "A,C,D").split(",")
  .map((name) => NAMES.indexOf(name.trim() as typeof NAMES[number]))
  .filter((i) => i >= 0);
const MINERS = [0, 2]; // A and C: one on each side of the partition
const SIDE = [0, 0, 1, 1];
const WALLETS = [heartbeatWallet(params, 0), heartbeatWallet(params, 1)];
const FEE = 20_000n;
const RNT = 100_000_000n;

type Json = Record<string, unknown>;

/** One soak node: fixed ports, restartable process. */
interface SoakNode {
  readonly name: string;
  readonly datadir: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  proc: NodeProcess;
  up: boolean;
  starts: number;
}

const rand = seededRandom(SEED);
const failures: string[] = [];
const events: string[] = [];
const t0 = performance.now();
const elapsed = () => (performance.now() - t0) / 1000;
const log = (line: string) => {
  const stamped = `[${elapsed().toFixed(0).padStart(4)} s] ${line}`;
  events.push(stamped);
  console.log(stamped);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An RPC call that gives up after `ms` (a busy or dying node must not stall the driver). */
async function call<T = unknown>(n: SoakNode, method: string, args: unknown[] = [], ms = 30_000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${n.name} ${method}: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([n.proc.rpc<T>(method, args), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function spawn(n: SoakNode): NodeProcess {
  return NodeProcess.spawn(n.datadir, n.rpcPort, ["--port", String(n.p2pPort), "--connect", "0"]);
}

async function start(n: SoakNode): Promise<void> {
  n.proc = spawn(n);
  await n.proc.ready(120_000);
  n.up = true;
  n.starts++;
}

/** Whether nodes i and j should be linked now. */
function linked(i: number, j: number, partitioned: boolean): boolean {
  return !partitioned || SIDE[i] === SIDE[j];
}

/**
 * Connects every pair that should be linked and is not (the lower index dials, so it sees the
 * peer at its listening port); errors and timeouts are ignored (the next round retries).
 */
async function link(nodes: SoakNode[], partitioned: boolean): Promise<void> {
  for (let i = 0; i < nodes.length; i++) {
    if (!nodes[i]!.up) continue;
    const peers = await call<Json[]>(nodes[i]!, "getpeerinfo").catch(() => [] as Json[]);
    for (let j = i + 1; j < nodes.length; j++) {
      if (!nodes[j]!.up || !linked(i, j, partitioned)) continue;
      const target = `127.0.0.1:${nodes[j]!.p2pPort}`;
      if (peers.some((p) => p.addr === target)) continue;
      await call(nodes[i]!, "addnode", [target, "onetry"], 15_000).catch(() => {});
    }
  }
}

/** Cuts every link across the partition (from both sides; a missing peer is fine). */
async function cut(nodes: SoakNode[]): Promise<void> {
  for (let i = 0; i < nodes.length; i++) {
    if (!nodes[i]!.up) continue;
    const peers = await call<Json[]>(nodes[i]!, "getpeerinfo").catch(() => [] as Json[]);
    for (const p of peers) {
      const port = Number(String(p.addr).split(":").pop());
      const j = nodes.findIndex((n) => n.p2pPort === port);
      const other = j >= 0 ? j : undefined;
      // Inbound peers show an ephemeral port: cut those from the dialling side (lower index).
      if (other === undefined || SIDE[other] === SIDE[i]) continue;
      await call(nodes[i]!, "disconnectnode", ["", p.id]).catch(() => {});
    }
  }
}

/** Checks one node's supply invariant; returns its tip height, or undefined when down. */
async function checkSupply(n: SoakNode): Promise<number | undefined> {
  if (!n.up) return undefined;
  try {
    const info = await call<Json>(n, "gettxoutsetinfo", [], 60_000);
    const total = BigInt(info.total_amount_resonances as number);
    const res = (x: unknown) => BigInt((x as number).toFixed(8).replace(".", ""));
    const minted = res(info.minted), returned = res(info.returned);
    const height = info.height as number;
    if (total !== minted - returned) {
      failures.push(`${n.name} at ${height}: UTXO total ${total} ≠ minted − returned`);
    }
    if (minted > BigInt(height) * 100n * RNT) {
      failures.push(`${n.name} at ${height}: minted ${minted} above 100 RNT per block`);
    }
    return height;
  } catch (e) {
    if (n.up) failures.push(`${n.name}: gettxoutsetinfo failed: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Resident set size of a process in MiB (`ps -o rss=`: Deno asks for --allow-all to read
 * /proc/PID/status), or undefined when it is gone.
 */
async function rssMiB(pid: number): Promise<number | undefined> {
  try {
    const out = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] }).output();
    const kib = Number(new TextDecoder().decode(out.stdout).trim());
    return out.success && kib > 0 ? kib / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Coins of `w` confirmed on node `n` that the generator has not spent yet. */
async function spendable(
  n: SoakNode,
  w: TestWallet,
  spent: Set<string>,
): Promise<{ txid: string; vout: number; value: bigint }[]> {
  const addr = encodeAddress(params, w.address);
  const coins = await call<Json[]>(n, "listunspentbyaddress", [[addr], false]);
  const tip = await call<number>(n, "getblockcount");
  return coins
    .filter((c) => (c.confirmations as number) >= 1)
    .filter((c) => !c.coinbase || tip + 1 - (c.height as number) >= params.coinbaseMaturity)
    .map((c) => ({
      txid: c.txid as string,
      vout: c.vout as number,
      value: BigInt(c.value_resonances as number),
    }))
    .filter((c) => !spent.has(`${c.txid}:${c.vout}`) && c.value > 10n * FEE);
}

async function main(): Promise<number> {
  await using root = await tempDir("rnt-soak-");
  const nodes: SoakNode[] = NAMES.map((name) => ({
    name,
    datadir: `${root.path}/${name}`,
    rpcPort: freePort(),
    p2pPort: freePort(),
    proc: undefined as unknown as NodeProcess,
    up: false,
    starts: 0,
  }));
  const rss: { at: number; mib: (number | undefined)[]; heights: (number | undefined)[] }[] = [];
  let mined = 0, sent = 0, refused = 0, restarts = 0, kills = 0, partitions = 0, checks = 0;
  try {
    log(`starting 4 nodes (seed ${SEED}, ${DURATION_SECS} s)`);
    for (const n of nodes) await start(n);
    const fixture = (await readChainFixture()).slice(0, FIXTURE_BLOCKS);
    await importChainFixture(nodes[0]!.proc, fixture);
    await link(nodes, false);
    log(`fixture of ${fixture.length} blocks imported on A; nodes linked`);
    // The soak's clock starts once every node synced the fixture (bounded wait).
    for (let i = 0; i < 600; i++) {
      const heights = await Promise.all(
        nodes.map((n) => call<number>(n, "getblockcount").catch(() => -1)),
      );
      if (heights.every((h) => h === fixture.length)) break;
      if (i % 15 === 14) await link(nodes, false);
      await sleep(1000);
    }
    log("all nodes at the fixture tip: soak starts");

    let partitioned = false;
    let stopping = false;
    const soakStart = performance.now();
    const deadline = soakStart + DURATION_SECS * 1000;

    // Miners: one block at a time, with a random pause, while their node is up.
    const miners = MINERS.map(async (i, k) => {
      const n = nodes[i]!;
      const to = encodeAddress(params, WALLETS[k]!.address);
      while (!stopping && performance.now() < deadline) {
        await sleep(2000 + rand() * 8000);
        if (!n.up || stopping) continue;
        try {
          await n.proc.rpc("generatetoaddress", [1, to]);
          mined++;
        } catch (e) {
          if (n.up) log(`${n.name} mining failed: ${(e as Error).message.slice(0, 120)}`);
        }
      }
    });

    // Transaction generator: every 1–4 s a payment between the two wallets through a random node.
    const spent = new Set<string>();
    const generator = (async () => {
      while (!stopping && performance.now() < deadline) {
        await sleep(1000 + rand() * 3000);
        const n = nodes[Math.floor(rand() * nodes.length)]!;
        if (!n.up) continue;
        const k = rand() < 0.5 ? 0 : 1;
        const from = WALLETS[k]!, to = WALLETS[1 - k]!;
        try {
          const coins = await spendable(n, from, spent);
          if (coins.length === 0) continue;
          const coin = coins[Math.floor(rand() * coins.length)]!;
          const pay = (coin.value - FEE) / 3n;
          const tx = signTx(
            params,
            {
              version: 1,
              inputs: [{ prevout: { txid: fromHex(coin.txid), vout: coin.vout }, sequence: 0 }],
              outputs: [
                { value: pay, address: to.address },
                { value: coin.value - FEE - pay, address: from.address },
              ],
              locktime: 0,
            },
            [{ value: coin.value, address: from.address }],
            [from],
          );
          spent.add(`${coin.txid}:${coin.vout}`);
          await call(n, "sendrawtransaction", [toHex(encodeTx(tx))]);
          sent++;
        } catch {
          refused++; // a coin spent on another branch, a node going down, ...
        }
      }
    })();

    // Chaos and checks.
    let nextCheck = performance.now();
    while (performance.now() < deadline) {
      await sleep(1000);
      if (performance.now() >= nextCheck) {
        nextCheck += CHECK_SECS * 1000;
        checks++;
        const heights = await Promise.all(nodes.map(checkSupply));
        const mib = await Promise.all(nodes.map((n) => n.up ? rssMiB(n.proc.pid) : undefined));
        rss.push({ at: elapsed(), mib, heights });
        log(
          `check ${checks}: heights ${heights.map((h) => h ?? "-").join("/")}, RSS MiB ` +
            mib.map((m) => m?.toFixed(0) ?? "-").join("/"),
        );
      }
      const roll = rand();
      if (roll < 0.012) {
        // Restart a node (a quarter of the time with SIGKILL).
        const i = RESTARTABLE[Math.floor(rand() * RESTARTABLE.length)]!;
        const n = nodes[i]!;
        const signal = rand() < 0.25 ? "SIGKILL" : "SIGTERM";
        n.up = false;
        await n.proc.stop(signal);
        if (signal === "SIGKILL") kills++;
        restarts++;
        await sleep(500 + rand() * 3000);
        await start(n);
        await link(nodes, partitioned);
        log(`restarted ${n.name} (${signal})`);
      } else if (roll < 0.02) {
        partitioned = !partitioned;
        if (partitioned) {
          partitions++;
          await cut(nodes);
          log("partition {A, B} | {C, D}");
        } else {
          await link(nodes, false);
          log("partition healed");
        }
      } else if (roll < 0.06) {
        await link(nodes, partitioned); // re-dial links dropped by a restart or timeout
      }
    }

    // Settle: stop the load, heal, and wait for one chain and one mempool everywhere.
    stopping = true;
    await generator;
    // A miner may be deep in training: give it two minutes, then restart its node (a stop aborts
    // training) so the settle phase starts without new blocks arriving.
    const minersDone = Promise.all(miners).then(() => true);
    if (!await Promise.race([minersDone, sleep(120_000).then(() => false)])) {
      for (const i of MINERS) {
        const n = nodes[i]!;
        n.up = false;
        await n.proc.stop("SIGTERM");
        await start(n);
        log(`restarted miner ${n.name} to end its training`);
      }
      await minersDone;
    }
    partitioned = false;
    for (const n of nodes) if (!n.up) await start(n);
    const settleStart = performance.now();
    let converged = false;
    let settleBlocks = 0;
    for (let i = 0; i < 300 && !converged; i++) {
      if (i % 10 === 0) await link(nodes, false);
      const tips = await Promise.all(
        nodes.map((n) => call<string>(n, "getbestblockhash").catch(() => "?")),
      );
      converged = tips.every((t) => t === tips[0]);
      if (!converged && i % 10 === 9) {
        // Two sides that mined apart by two or more blocks each do not switch for work alone:
        // the reorg margin (PROTOCOL §6.3) asks for a lead of up to six capped blocks. As in a
        // real network, mining goes on: one block on the side with the most work, until its lead
        // clears the margin and the other side follows.
        const works = await Promise.all(
          nodes.map((n) =>
            call<Json>(n, "getblockchaininfo").then((x) => BigInt(`0x${x.chainwork}`))
              .catch(() => -1n)
          ),
        );
        const ahead = works.indexOf(works.reduce((a, b) => (b > a ? b : a)));
        const k = MINERS.indexOf(ahead) >= 0 ? MINERS.indexOf(ahead) : 0;
        await call(nodes[ahead]!, "generatetoaddress", [
          1,
          encodeAddress(params, WALLETS[k]!.address),
        ], 180_000).then(() => settleBlocks++).catch(() => {});
      }
      if (!converged) await sleep(1000);
    }
    const convergeSecs = (performance.now() - settleStart) / 1000;
    const tips = await Promise.all(nodes.map((n) => n.proc.rpc<string>("getbestblockhash")));
    if (!converged) failures.push(`no convergence after ${convergeSecs.toFixed(0)} s: ${tips}`);
    const sets = await Promise.all(nodes.map((n) => n.proc.rpc<Json>("gettxoutsetinfo")));
    if (!sets.every((s) => s.hash_serialized === sets[0]!.hash_serialized)) {
      failures.push("UTXO set hashes differ after convergence");
    }
    for (const n of nodes) await checkSupply(n);
    let pools: string[][] = [];
    let poolsAgree = false;
    for (let i = 0; i < 120 && !poolsAgree; i++) {
      pools = await Promise.all(
        nodes.map(async (n) => (await n.proc.rpc<string[]>("getrawmempool")).sort()),
      );
      poolsAgree = pools.every((p) => p.join() === pools[0]!.join());
      if (!poolsAgree) {
        if (i % 10 === 0) await link(nodes, false);
        await sleep(1000);
      }
    }
    if (!poolsAgree) {
      const all = new Set(pools.flat());
      const missing = [...all].map((id) =>
        `${id} missing on ${NAMES.filter((_, i) => !pools[i]!.includes(id)).join(",")}`
      ).filter((line) => !line.endsWith(" on "));
      failures.push(`mempools differ: sizes ${pools.map((p) => p.length)}; ${missing.join("; ")}`);
    }
    const height = await nodes[0]!.proc.rpc<number>("getblockcount");
    const reorgs = nodes.map((n) => (n.proc.log.match(/disconnected block /g) ?? []).length);
    const rssEnd = await Promise.all(nodes.map((n) => rssMiB(n.proc.pid)));
    rss.push({ at: elapsed(), mib: rssEnd, heights: nodes.map(() => height) });

    console.log("\n== soak report ==");
    console.log(
      `duration ${DURATION_SECS} s, seed ${SEED}; final height ${height} (fixture ${FIXTURE_BLOCKS} + ` +
        `${
          height - FIXTURE_BLOCKS
        }); blocks mined ${mined}; txs accepted ${sent}, refused ${refused}; ` +
        `restarts ${restarts} (${kills} SIGKILL), partitions ${partitions}; blocks disconnected ` +
        `(reorgs) per node ${reorgs.join("/")}; supply checks ${checks} × 4 nodes`,
    );
    console.log(
      `converged in ${convergeSecs.toFixed(1)} s (${settleBlocks} blocks mined while settling) ` +
        `to ${tips[0]} (UTXO hash ${sets[0]!.hash_serialized}); mempools agree: ${poolsAgree} (${
          pools[0]?.length ?? 0
        } txs)`,
    );
    console.log(`node starts: ${nodes.map((n) => `${n.name} ${n.starts}`).join(", ")}`);
    console.log("\n| t (s) | " + NAMES.map((n) => `${n} RSS MiB (height)`).join(" | ") + " |");
    console.log("|---|" + NAMES.map(() => "---").join("|") + "|");
    for (const row of rss) {
      console.log(
        `| ${row.at.toFixed(0)} | ` +
          row.mib.map((m, i) => `${m?.toFixed(0) ?? "down"} (${row.heights[i] ?? "-"})`)
            .join(" | ") +
          " |",
      );
    }
    if (failures.length) {
      console.log(`\nFAILURES (${failures.length}):\n` + failures.join("\n"));
      return 1;
    }
    console.log("\nall checks passed");
    return 0;
  } finally {
    await Promise.all(nodes.map((n) => n.proc?.[Symbol.asyncDispose]()));
  }
}

Deno.exit(await main());
