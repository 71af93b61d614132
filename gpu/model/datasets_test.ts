import assert from "node:assert/strict";
import { keccak256d, toHex } from "../../core/crypto/keccak.ts";
import {
  type DatasetNetwork,
  loadSampleTrain,
  loadValidationSet,
  SAMPLE_TRAIN,
  sampleTrainPath,
  unigramEntropyNats,
  VALIDATION_SETS,
} from "./datasets.ts";

/** Sizes fixed by docs/PROTOCOL.md §2 and §4, independent of the pinned table. */
const SPEC_BYTES: Record<DatasetNetwork, number> = {
  mainnet: 1_048_576,
  testnet: 65_536,
  regtest: 4_096,
};

const WINDOW = 64;

Deno.test("loadValidationSet() returns each network's set with the specified size and pinned hash", async () => {
  for (const network of ["mainnet", "testnet", "regtest"] as const) {
    const bytes = await loadValidationSet(network);
    assert.deepEqual(bytes.length, SPEC_BYTES[network], network);
    assert.deepEqual(toHex(keccak256d(bytes)), VALIDATION_SETS[network].keccak256d, network);
  }
});

Deno.test("loadValidationSet() sets are prefixes of the mainnet set", async () => {
  const mainnet = await loadValidationSet("mainnet");
  for (const network of ["testnet", "regtest"] as const) {
    const bytes = await loadValidationSet(network);
    assert.deepEqual(bytes, mainnet.subarray(0, bytes.length), network);
  }
});

Deno.test("loadValidationSet() rejects a file with a changed byte, a short file and a missing file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-datasets-" });
  try {
    const dataDir = new URL(`file://${dir}/`);
    const good = await loadValidationSet("regtest");
    const tampered = good.slice();
    tampered[100] = tampered[100]! ^ 1;
    await Deno.writeFile(`${dir}/${VALIDATION_SETS.regtest.file}`, tampered);
    await rejectsWith(() => loadValidationSet("regtest", { dataDir }), Error, "keccak256d");

    await Deno.writeFile(`${dir}/${VALIDATION_SETS.regtest.file}`, good.subarray(0, 4095));
    await rejectsWith(
      () => loadValidationSet("regtest", { dataDir }),
      Error,
      "has 4095 bytes, expected 4096",
    );

    await rejectsWith(() => loadValidationSet("testnet", { dataDir }), Error, "Cannot read");

    await Deno.writeFile(`${dir}/${VALIDATION_SETS.regtest.file}`, good);
    assert.deepEqual(await loadValidationSet("regtest", { dataDir }), good);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadValidationSet() throws TypeError for an unknown network", async () => {
  await rejectsWith(
    () => loadValidationSet("signet" as DatasetNetwork),
    TypeError,
    "got signet",
  );
});

Deno.test("sampleTrainPath() names the pinned sample training text", async () => {
  const bytes = await Deno.readFile(sampleTrainPath());
  assert.deepEqual(bytes.length, SAMPLE_TRAIN.bytes);
  assert.deepEqual(toHex(keccak256d(bytes)), SAMPLE_TRAIN.keccak256d);
  assert.deepEqual(await loadSampleTrain(), bytes);
  assert.ok(bytes.length <= 5 * 1024 * 1024, "sample training text must stay ≤ 5 MiB");
});

Deno.test("bundled texts are UTF-8 prose with \\n line endings and no control bytes", async () => {
  const texts = [await loadValidationSet("mainnet"), await loadSampleTrain()];
  for (const bytes of texts) {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    const control = bytes.findIndex((b) => (b < 0x20 && b !== 0x0a) || b === 0x7f);
    assert.equal(control, -1, "only \\n among control bytes");
    const words = text.match(/[A-Za-z]+/g) ?? [];
    const letters = words.reduce((n, w) => n + w.length, 0);
    assert.ok(letters / bytes.length > 0.7, `letters are ${letters / bytes.length} of the bytes`);
    for (const common of [" the ", " and ", " of "]) assert.ok(text.includes(common), common);
  }
});

Deno.test("sample training text shares no 64-byte substring with the regtest/testnet sets", async () => {
  const train = await loadSampleTrain();
  // Every 64-byte window of testnet (regtest is its prefix) plus a spread of mainnet windows.
  const testnet = await loadValidationSet("testnet");
  const mainnet = await loadValidationSet("mainnet");
  const windows: Uint8Array[] = [];
  for (let i = 0; i + WINDOW <= testnet.length; i++) windows.push(testnet.subarray(i, i + WINDOW));
  for (let i = testnet.length; i + WINDOW <= mainnet.length; i += 997) {
    windows.push(mainnet.subarray(i, i + WINDOW));
  }
  assert.deepEqual(findSharedWindow(train, windows), -1);
  // The search does find a window that is there (guards against a vacuous pass).
  assert.deepEqual(findSharedWindow(train, [train.subarray(123_457, 123_457 + WINDOW)]), 123_457);
});

Deno.test("unigramEntropyNats() matches known distributions", () => {
  const uniform = new Uint8Array(256 * 3).map((_, i) => i % 256);
  assertAlmost(unigramEntropyNats(uniform), Math.log(256));
  assertAlmost(unigramEntropyNats(new Uint8Array([7, 7, 7, 7])), 0);
  assertAlmost(unigramEntropyNats(new Uint8Array([0, 255])), Math.LN2);
  // p = (1/2, 1/4, 1/4): H = 1.5·ln 2.
  assertAlmost(unigramEntropyNats(new Uint8Array([65, 65, 66, 67])), 1.5 * Math.LN2);
  // Order does not matter.
  assertAlmost(
    unigramEntropyNats(new Uint8Array([1, 2, 1, 3, 1, 1])),
    unigramEntropyNats(new Uint8Array([1, 1, 1, 1, 2, 3])),
  );
  assert.throws(() => unigramEntropyNats(new Uint8Array()), RangeError);
});

Deno.test("unigramEntropyNats() of the bundled English texts lies between 2 and 4 nats", async () => {
  for (const bytes of [await loadValidationSet("mainnet"), await loadSampleTrain()]) {
    const h = unigramEntropyNats(bytes);
    assert.ok(h > 2 && h < 4, `entropy ${h}`);
  }
});

/** Awaits `fn()` and asserts it rejects with an instance of `cls` whose message has `includes`. */
async function rejectsWith(
  fn: () => Promise<unknown>,
  cls: new (...args: never[]) => Error,
  includes: string,
): Promise<void> {
  await assert.rejects(fn, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${err}`);
    assert.ok(err.message.includes(includes), `message ${JSON.stringify(err.message)}`);
    return true;
  });
}

function assertAlmost(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `got ${actual}, expected ${expected}`);
}

/**
 * Offset in `haystack` of the first occurrence of any of the equal-length `needles`, or −1.
 * Rabin–Karp: a 32-bit rolling hash over every window, confirmed byte by byte on a hash hit.
 */
function findSharedWindow(haystack: Uint8Array, needles: Uint8Array[]): number {
  const w = needles[0]!.length;
  const BASE = 257;
  let top = 1; // BASE^(w−1) mod 2^32
  for (let i = 1; i < w; i++) top = Math.imul(top, BASE);
  const hashOf = (b: Uint8Array, start: number): number => {
    let h = 0;
    for (let i = 0; i < w; i++) h = (Math.imul(h, BASE) + b[start + i]!) | 0;
    return h;
  };
  const byHash = new Map<number, Uint8Array[]>();
  for (const n of needles) {
    const h = hashOf(n, 0);
    const list = byHash.get(h);
    if (list) list.push(n);
    else byHash.set(h, [n]);
  }
  if (haystack.length < w) return -1;
  let h = hashOf(haystack, 0);
  for (let i = 0;; i++) {
    const candidates = byHash.get(h);
    if (candidates) {
      for (const n of candidates) {
        let j = 0;
        while (j < w && n[j] === haystack[i + j]) j++;
        if (j === w) return i;
      }
    }
    if (i + w >= haystack.length) return -1;
    h = (Math.imul(h - Math.imul(haystack[i]!, top), BASE) + haystack[i + w]!) | 0;
  }
}
