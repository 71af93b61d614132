/**
 * kill -9 during channel-store writes: a child process saves channel updates as fast as it can,
 * printing "acked n" after each synced save; it is killed with SIGKILL after a seeded random number
 * of acknowledgements (or at a random moment, mid-write). After every kill the store must open
 * with its key and hold a state at least as new as the last acknowledged one (an acknowledged state
 * is never lost), at most one newer (the save in flight), never a torn record, and the revoked
 * HTLCs written in the same batch must be there with it (the batch is atomic).
 *
 * @module
 */
import assert from "node:assert/strict";
import { seededRandom } from "../gpu/testing.ts";
import { ChannelStore } from "../node/lightning/channel_store.ts";
import { crashKills } from "./crash_harness.ts";
import { REPO_ROOT, RNT_PERMISSIONS, tempDir } from "./helpers.ts";
import {
  CRASH_CHANNEL_ID,
  crashKeyRing,
  crashRecord,
  revokedHtlcsOf,
  stateNumberOf,
} from "./ln_store_fixture.ts";

const KILLS = crashKills();

/** Runs the writer until `acks` acknowledgements (or `ms` milliseconds) and kills it; returns the last ack. */
async function runAndKill(dir: string, acks: number, ms: number): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...RNT_PERMISSIONS, `${REPO_ROOT}/tests/ln_store_writer.ts`, dir],
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let last = 0;
  let seen = 0;
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(kill, ms);
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of child.stdout) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      const m = /^acked (\d+)$/.exec(line);
      if (m) {
        last = Number(m[1]);
        if (++seen >= acks) kill();
      }
    }
  }
  clearTimeout(timer);
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", `writer exited on its own: ${status.code}`);
  return last;
}

Deno.test(
  `channel store killed with SIGKILL ${KILLS} times mid-writes keeps every acknowledged state`,
  async () => {
    await using dir = await tempDir("rnt-crash-ln-");
    const rand = seededRandom(0x1c5);
    let lastAcked = 0;
    const lines: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const acks = 5 + Math.floor(rand() * 60);
      const acked = await runAndKill(dir.path, acks, 20_000);
      if (acked > 0) lastAcked = acked;
      const store = await ChannelStore.open(dir.path, crashKeyRing.storeKey());
      try {
        const r = await store.getChannel(CRASH_CHANNEL_ID);
        assert.ok(r, "no record after the kill");
        const n = stateNumberOf(r);
        assert.ok(n >= lastAcked, `state ${n} is older than the acknowledged ${lastAcked}`);
        assert.ok(n <= lastAcked + 1, `state ${n} is newer than the one in flight`);
        assert.deepEqual(r, crashRecord(n));
        assert.deepEqual(
          await store.revokedHtlcs(CRASH_CHANNEL_ID, BigInt(n - 1)),
          revokedHtlcsOf(n),
          "the revoked HTLCs of the same batch are missing",
        );
        lines.push(`kill ${k + 1}: acked ${acked}, stored ${n}`);
        lastAcked = n;
      } finally {
        await store.close();
      }
    }
    console.log(lines.join("\n"));
  },
);
