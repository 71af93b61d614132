import assert from "node:assert/strict";
import { fromHex, toHex } from "../crypto/keccak.ts";
import { DecodeError } from "../errors.ts";
import {
  decodeShachainStore,
  encodeShachainStore,
  FIRST_COMMITMENT_INDEX,
  MAX_SHACHAIN_ENTRIES,
  perCommitmentSecret,
  ShachainError,
  ShachainStore,
} from "./shachain.ts";

const ZEROS = "00".repeat(32);
const ONES = "ff".repeat(32);

/** BOLT 3 Appendix D "Generation Tests". */
const GENERATION_VECTORS = [
  {
    name: "generate_from_seed 0 final node",
    seed: ZEROS,
    index: 281474976710655,
    output: "02a40c85b6f28da08dfdbe0926c53fab2de6d28c10301f8f7c4073d5e42e3148",
  },
  {
    name: "generate_from_seed FF final node",
    seed: ONES,
    index: 281474976710655,
    output: "7cc854b54e3e0dcdb010d7a3fee464a9687be6e8db3be6854c475621e007a5dc",
  },
  {
    name: "generate_from_seed FF alternate bits 1",
    seed: ONES,
    index: 0xaaaaaaaaaaa,
    output: "56f4008fb007ca9acf0e15b054d5c9fd12ee06cea347914ddbaed70d1c13a528",
  },
  {
    name: "generate_from_seed FF alternate bits 2",
    seed: ONES,
    index: 0x555555555555,
    output: "9015daaeb06dba4ccc05b91b2f73bd54405f2be9f217fbacd3c5ac2e62327d31",
  },
  {
    name: "generate_from_seed 01 last nontrivial node",
    seed: "01".repeat(32),
    index: 1,
    output: "915c75942a26bb3a433a8ce2cb0427c29ec6c1775cfc78328b57f6ba7bfeaa9c",
  },
];

// The secrets of BOLT 3's storage tests, named after their index's offset below 2⁴⁸ − 1: the
// right ones (seed 0xFF…FF) and the wrong ones (seed 0x00…00) that the failing cases use.
const RIGHT = [
  "7cc854b54e3e0dcdb010d7a3fee464a9687be6e8db3be6854c475621e007a5dc",
  "c7518c8ae4660ed02894df8976fa1a3659c1a8b4b5bec0c4b872abeba4cb8964",
  "2273e227a5b7449b6e70f1fb4652864038b1cbf9cd7c043a7d6456b7fc275ad8",
  "27cddaa5624534cb6cb9d7da077cf2b22ab21e9b506fd4998a51d54502e99116",
  "c65716add7aa98ba7acb236352d665cab17345fe45b55fb879ff80e6bd0c41dd",
  "969660042a28f32d9be17344e09374b379962d03db1574df5a8a5a47e19ce3f2",
  "a5a64476122ca0925fb344bdc1854c1c0a59fc614298e50a33e331980a220f32",
  "05cde6323d949933f7f7b78776bcc1ea6d9b31447732e3802e1f7ac44b650e17",
];
const WRONG: Record<number, string> = {
  0: "02a40c85b6f28da08dfdbe0926c53fab2de6d28c10301f8f7c4073d5e42e3148",
  1: "dddc3a8d14fddf2b68fa8c7fbad2748274937479dd0f8930d5ebb4ab6bd866a3",
  2: "c51a18b13e8527e579ec56365482c62f180b7d5760b46e9477dae59e87ed423a",
  3: "ba65d7b0ef55a3ba300d4e87af29868f394f8f138d78a7011669c79b37b936f4",
  4: "631373ad5f9ef654bb3dade742d09504c567edd24320d2fcd68e3cc47e2ff6a6",
  5: "b7e76a83668bde38b373970155c868a653304308f9896692f904a23731224bb1",
  6: "e7971de736e01da8ed58b94c2fc216cb1dca9e326f3a96e7194fe8ea8af6c0a3",
  7: "a7efbc61aac46d34f77778bac22c8a20c6a46ca460addc49009bda875ec88fa4",
};

/** A BOLT 3 storage test: the offsets whose secret is a wrong one, and the insert that fails. */
interface StorageCase {
  name: string;
  wrongAt: number[];
  failsAt: number | null;
}

/** BOLT 3 Appendix D "Storage Tests" (each case inserts offsets 0… until its failure). */
const STORAGE_CASES: StorageCase[] = [
  { name: "insert_secret correct sequence", wrongAt: [], failsAt: null },
  { name: "insert_secret #1 incorrect", wrongAt: [0], failsAt: 1 },
  { name: "insert_secret #2 incorrect (#1 derived from incorrect)", wrongAt: [0, 1], failsAt: 3 },
  { name: "insert_secret #3 incorrect", wrongAt: [2], failsAt: 3 },
  {
    name: "insert_secret #4 incorrect (1,2,3 derived from incorrect)",
    wrongAt: [0, 1, 2, 3],
    failsAt: 7,
  },
  { name: "insert_secret #5 incorrect", wrongAt: [4], failsAt: 5 },
  { name: "insert_secret #6 incorrect (5 derived from incorrect)", wrongAt: [4, 5], failsAt: 7 },
  { name: "insert_secret #7 incorrect", wrongAt: [6], failsAt: 7 },
  { name: "insert_secret #8 incorrect", wrongAt: [7], failsAt: 7 },
];

function storageSecret(c: StorageCase, offset: number): Uint8Array {
  return fromHex(c.wrongAt.includes(offset) ? WRONG[offset]! : RIGHT[offset]!);
}

/** A store holding the first `count` secrets of `seed`. */
function storeOf(seed: Uint8Array, count: number): ShachainStore {
  const store = new ShachainStore();
  for (let i = 0; i < count; i++) {
    store.insert(FIRST_COMMITMENT_INDEX - i, perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - i));
  }
  return store;
}

Deno.test("perCommitmentSecret() reproduces every BOLT 3 generate_from_seed vector", () => {
  for (const v of GENERATION_VECTORS) {
    assert.equal(toHex(perCommitmentSecret(fromHex(v.seed), v.index)), v.output, v.name);
  }
});

Deno.test("the BOLT 3 storage secrets are the seed 0xFF…FF and 0x00…00 secrets", () => {
  RIGHT.forEach((hex, i) => {
    assert.equal(toHex(perCommitmentSecret(fromHex(ONES), FIRST_COMMITMENT_INDEX - i)), hex);
  });
});

Deno.test("ShachainStore.insert() passes and fails exactly as every BOLT 3 storage test says", () => {
  for (const c of STORAGE_CASES) {
    const store = new ShachainStore();
    const last = c.failsAt ?? RIGHT.length - 1;
    for (let offset = 0; offset <= last; offset++) {
      const index = FIRST_COMMITMENT_INDEX - offset;
      const secret = storageSecret(c, offset);
      if (offset === c.failsAt) {
        const before = encodeShachainStore(store);
        assert.throws(
          () => store.insert(index, secret),
          (e) => e instanceof ShachainError && e.reason === "bad-secret",
          c.name,
        );
        assert.deepEqual(encodeShachainStore(store), before, `${c.name}: store unchanged`);
      } else {
        store.insert(index, secret);
      }
    }
    if (c.failsAt === null) {
      RIGHT.forEach((hex, i) =>
        assert.equal(toHex(store.secretAt(FIRST_COMMITMENT_INDEX - i)), hex)
      );
    }
  }
});

Deno.test("ShachainStore derives every secret it has received, from at most 49 entries", () => {
  const seed = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const store = new ShachainStore();
  let maxSize = 0;
  for (let i = 0; i < 300; i++) {
    const index = FIRST_COMMITMENT_INDEX - i;
    store.insert(index, perCommitmentSecret(seed, index));
    maxSize = Math.max(maxSize, store.size);
    assert.equal(store.nextIndex, index - 1);
  }
  assert.equal(maxSize, 9); // 300 indices from the top need buckets 0…8 (2⁸ ≤ 300 < 2⁹)
  for (let i = 0; i < 300; i++) {
    const index = FIRST_COMMITMENT_INDEX - i;
    assert.ok(store.has(index));
    assert.deepEqual(store.secretAt(index), perCommitmentSecret(seed, index));
  }
  assert.equal(store.has(FIRST_COMMITMENT_INDEX - 300), false);
  assert.throws(
    () => store.secretAt(FIRST_COMMITMENT_INDEX - 300),
    (e) => e instanceof ShachainError && e.reason === "not-received",
  );
  assert.throws(
    () => store.secretAt(0),
    (e) => e instanceof ShachainError && e.reason === "not-received",
  );
});

Deno.test("ShachainStore refuses secrets out of order and leaves itself unchanged", () => {
  const seed = new Uint8Array(32).fill(5);
  const secret = (index: number) => perCommitmentSecret(seed, index);
  const empty = new ShachainStore();
  for (const index of [FIRST_COMMITMENT_INDEX - 1, 0, 12345]) {
    assert.throws(
      () => empty.insert(index, secret(index)),
      (e) => e instanceof ShachainError && e.reason === "out-of-order",
    );
  }
  assert.equal(empty.size, 0);
  const store = storeOf(seed, 3);
  const before = encodeShachainStore(store);
  // Repeating, skipping ahead and going back up are all refused.
  for (const offset of [2, 4, 10, 0, 1]) {
    const index = FIRST_COMMITMENT_INDEX - offset;
    assert.throws(
      () => store.insert(index, secret(index)),
      (e) => e instanceof ShachainError && e.reason === "out-of-order",
      `offset ${offset}`,
    );
  }
  assert.deepEqual(encodeShachainStore(store), before);
  store.insert(FIRST_COMMITMENT_INDEX - 3, secret(FIRST_COMMITMENT_INDEX - 3));
  assert.equal(store.nextIndex, FIRST_COMMITMENT_INDEX - 4);
});

Deno.test("ShachainStore refuses every secret of a shuffled order that is not the next one", () => {
  const seed = new Uint8Array(32).fill(11);
  const shuffled = [0, 3, 1, 2, 6, 4, 5, 7];
  const store = new ShachainStore();
  const accepted: number[] = [];
  for (const offset of shuffled) {
    const index = FIRST_COMMITMENT_INDEX - offset;
    try {
      store.insert(index, perCommitmentSecret(seed, index));
      accepted.push(offset);
    } catch (e) {
      assert.ok(e instanceof ShachainError && e.reason === "out-of-order", `offset ${offset}`);
    }
  }
  assert.deepEqual(accepted, [0, 1, 2]);
  assert.equal(store.nextIndex, FIRST_COMMITMENT_INDEX - 3);
});

Deno.test("encodeShachainStore() and decodeShachainStore() round-trip every store size", () => {
  const seed = new Uint8Array(32).fill(0x42);
  for (const count of [0, 1, 2, 3, 4, 5, 8, 17, 64, 100]) {
    const store = storeOf(seed, count);
    const bytes = encodeShachainStore(store);
    assert.equal(bytes.length, 1 + store.size * 38);
    const back = decodeShachainStore(bytes);
    assert.deepEqual(encodeShachainStore(back), bytes);
    assert.equal(back.nextIndex, FIRST_COMMITMENT_INDEX - count);
    for (let i = 0; i < count; i++) {
      const index = FIRST_COMMITMENT_INDEX - i;
      assert.deepEqual(back.secretAt(index), perCommitmentSecret(seed, index));
    }
    // The decoded store goes on refusing a wrong next secret (when there is something to check
    // it against: the next index is even) and accepting the right one.
    const next = FIRST_COMMITMENT_INDEX - count;
    if (next % 2 === 0 && count > 0) {
      assert.throws(
        () => back.insert(next, perCommitmentSecret(new Uint8Array(32).fill(1), next)),
        (e) => e instanceof ShachainError && e.reason === "bad-secret",
      );
    }
    back.insert(next, perCommitmentSecret(seed, next));
    assert.deepEqual(back.secretAt(next), perCommitmentSecret(seed, next));
  }
});

Deno.test("a store holding index 0 has all 49 entries, derives from the seed and is full", () => {
  const seed = new Uint8Array(32).fill(0x17);
  // Entries as in-order insertion leaves them at index 0: bucket b holds 2ᵇ, bucket 48 holds 0.
  const entries = [];
  for (let b = 0; b < 48; b++) {
    entries.push({ index: 2 ** b, secret: perCommitmentSecret(seed, 2 ** b) });
  }
  entries.push({ index: 0, secret: seed });
  const bytes = new Uint8Array(1 + 49 * 38);
  bytes[0] = 49;
  entries.forEach((e, b) => {
    const at = 1 + b * 38;
    let rest = e.index;
    for (let i = 5; i >= 0; i--) {
      bytes[at + i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
    bytes.set(e.secret, at + 6);
  });
  const store = decodeShachainStore(bytes);
  assert.equal(store.size, MAX_SHACHAIN_ENTRIES);
  assert.equal(store.nextIndex, undefined);
  for (const index of [0, 1, 2, 3, 1000, 0xaaaaaaaaaaa, FIRST_COMMITMENT_INDEX]) {
    assert.deepEqual(store.secretAt(index), perCommitmentSecret(seed, index));
  }
  assert.throws(
    () => store.insert(0, seed),
    (e) => e instanceof ShachainError && e.reason === "out-of-order",
  );
});

Deno.test("decodeShachainStore() throws only DecodeError on truncated or garbled bytes", () => {
  const seed = new Uint8Array(32).fill(0x99);
  const good = encodeShachainStore(storeOf(seed, 21));
  const refused = (bytes: Uint8Array, what: string) =>
    assert.throws(() => decodeShachainStore(bytes), DecodeError, what);
  refused(new Uint8Array(), "empty");
  refused(Uint8Array.of(50), "too many entries");
  for (let cut = 1; cut < good.length; cut += 7) refused(good.slice(0, cut), `truncated at ${cut}`);
  refused(Uint8Array.of(...good, 0), "trailing byte");
  // Every single-bit flip of the count or of an index is refused.
  const entries = storeOf(seed, 21).entries();
  const indexBytes = new Set([0]);
  entries.forEach((_, b) => {
    for (let i = 0; i < 6; i++) indexBytes.add(1 + b * 38 + i);
  });
  for (const at of indexBytes) {
    for (let bit = 0; bit < 8; bit++) {
      const garbled = good.slice();
      garbled[at]! ^= 1 << bit;
      refused(garbled, `bit ${bit} of byte ${at} flipped`);
    }
  }
  // A flipped secret is refused when insertion checked it against another stored secret. One
  // that nothing has checked yet decodes, as BOLT 3 says: it is caught when its parent arrives.
  entries.forEach((entry, b) => {
    // Checked against (by a higher bucket's lower index) or checking (a lower bucket's higher index).
    const checked = entries.some((other, bucket) =>
      (bucket > b && other.index < entry.index) || (bucket < b && other.index > entry.index)
    );
    const garbled = good.slice();
    garbled[1 + b * 38 + 6 + (b % 32)]! ^= 0x10;
    if (checked) {
      refused(garbled, `secret of entry ${b} flipped`);
      return;
    }
    const store = decodeShachainStore(garbled);
    let caught = false;
    for (let i = 21; i < 21 + 64 && !caught; i++) {
      const index = FIRST_COMMITMENT_INDEX - i;
      try {
        store.insert(index, perCommitmentSecret(seed, index));
      } catch (e) {
        assert.ok(e instanceof ShachainError && e.reason === "bad-secret");
        caught = true;
      }
    }
    assert.ok(caught, `flipped secret of unchecked entry ${b} is caught by a later secret`);
  });
  // Pseudo-random garbage of the right lengths: never anything but DecodeError.
  let state = 12345;
  const nextByte = () => (state = (state * 1103515245 + 12345) % 2 ** 31) & 0xff;
  for (let trial = 0; trial < 200; trial++) {
    const count = trial % 50;
    const bytes = Uint8Array.from({ length: 1 + count * 38 }, nextByte);
    bytes[0] = count;
    if (count === 0) continue;
    refused(bytes, `garbage of ${count} entries`);
  }
});
