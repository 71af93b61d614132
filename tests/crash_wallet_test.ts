/**
 * kill -9 during a wallet write: `rnt wallet address` derives an address and rewrites the
 * encrypted wallet file (temp file, fsync, rename); it is killed with SIGKILL at seeded random
 * moments, most of them late in its run, where the write happens. After every kill the file must
 * open with the passphrase, hold the same 24 words, and have the old address list or the new one
 * (one more), never a broken file; a run that finished must have written the new one.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { seededRandom } from "../gpu/testing.ts";
import { openWallet } from "../node/wallet/store.ts";
import { crashKills } from "./crash_harness.ts";
import { REPO_ROOT, RNT_PERMISSIONS, tempDir } from "./helpers.ts";

const KILLS = crashKills();
const SEED = 0x3a11;
const PASSPHRASE = "correct horse battery staple";

/** Spawns `rnt wallet ARGS` on the wallet file in `dir` (regtest, passphrase file). */
function spawnWallet(dir: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...RNT_PERMISSIONS,
      `${REPO_ROOT}/main.ts`,
      "wallet",
      ...args,
      "--regtest",
      "--datadir",
      `${dir}/node`,
      "--wallet",
      `${dir}/wallet.dat`,
      "--password-file",
      `${dir}/pass`,
      "--json",
    ],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** The words and address list of the wallet file (throws when it does not open). */
async function readWallet(dir: string): Promise<{ mnemonic: string; addresses: string[] }> {
  const w = await openWallet(`${dir}/wallet.dat`, PASSPHRASE, REGTEST);
  try {
    const data = w.wallet.toData();
    return { mnemonic: data.mnemonic, addresses: w.wallet.addresses().map((a) => a.address) };
  } finally {
    w.key?.destroy();
  }
}

Deno.test(
  `rnt wallet killed with SIGKILL ${KILLS} times while rewriting its file leaves the old or the new file, never a broken one`,
  async () => {
    await using dir = await tempDir("rnt-crash-wallet-");
    await Deno.writeTextFile(`${dir.path}/pass`, PASSPHRASE + "\n");
    const created = await spawnWallet(dir.path, ["create", "--insecure-fast-kdf"]).status;
    assert.equal(created.code, 0);
    const first = await readWallet(dir.path);
    let addresses = first.addresses;

    // The length of one clean run, for the kill window.
    let runMs = 0;
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      assert.equal((await spawnWallet(dir.path, ["address"]).status).code, 0);
      runMs += (performance.now() - started) / 2;
      const now = await readWallet(dir.path);
      assert.equal(now.addresses.length, addresses.length + 1);
      addresses = now.addresses;
    }

    const rand = seededRandom(SEED);
    const kills: string[] = [];
    let oldFiles = 0;
    let newFiles = 0;
    let finished = 0;
    const t0 = performance.now();
    while (kills.length < KILLS) {
      // Uniform over the last third of a clean run and a little past it: the write is at the end.
      const delayMs = runMs * (0.7 + 0.5 * rand());
      const child = spawnWallet(dir.path, ["address"]);
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already exited
        }
      }, delayMs);
      const status = await child.status;
      clearTimeout(timer);
      const now = await readWallet(dir.path);
      assert.equal(now.mnemonic, first.mnemonic, "words changed");
      assert.deepEqual(now.addresses.slice(0, addresses.length), addresses, "addresses lost");
      assert.ok(now.addresses.length <= addresses.length + 1, "more than one new address");
      if (status.signal !== "SIGKILL") {
        assert.equal(status.code, 0);
        assert.equal(now.addresses.length, addresses.length + 1, "finished run not written");
        finished++;
      } else {
        const wrote = now.addresses.length > addresses.length;
        if (wrote) newFiles++;
        else oldFiles++;
        kills.push(
          `kill at ${delayMs.toFixed(0)}/${runMs.toFixed(0)} ms: ${wrote ? "new" : "old"} file`,
        );
      }
      addresses = now.addresses;
    }
    const stray: string[] = [];
    for await (const e of Deno.readDir(dir.path)) {
      if (e.name.startsWith("wallet.dat.tmp-")) stray.push(e.name);
    }
    console.log(kills.join("\n"));
    console.log(
      `${kills.length} kills in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
        `(a clean run ${runMs.toFixed(0)} ms): ${oldFiles} left the old file, ${newFiles} the ` +
        `new one, ${finished} runs finished before the kill, ${stray.length} temp files left`,
    );
  },
);
