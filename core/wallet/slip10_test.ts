import assert from "node:assert/strict";
import { fromHex, toHex } from "../crypto/keccak.ts";
import {
  deriveSlip10,
  formatDerivationPath,
  HARDENED_OFFSET,
  parseDerivationPath,
  slip10Child,
  slip10Master,
  slip10PublicKey,
  walletKeyPath,
} from "./slip10.ts";
import { WalletError } from "./wallet_errors.ts";

interface Chain {
  path: string;
  chainCode: string;
  private: string;
  public: string;
}
const data: { vectors: { name: string; seed: string; chains: Chain[] }[] } = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/slip10_ed25519_vectors.json", import.meta.url)),
);

Deno.test("deriveSlip10() matches SLIP-0010 ed25519 test vectors 1 and 2", () => {
  assert.equal(data.vectors.length, 2);
  let checked = 0;
  for (const v of data.vectors) {
    const seed = fromHex(v.seed);
    for (const c of v.chains) {
      const node = deriveSlip10(seed, c.path);
      assert.equal(toHex(node.chainCode), c.chainCode, `${v.name} ${c.path} chain code`);
      assert.equal(toHex(node.privateKey), c.private, `${v.name} ${c.path} private`);
      assert.equal("00" + toHex(slip10PublicKey(node)), c.public, `${v.name} ${c.path} public`);
      assert.equal(node.depth, parseDerivationPath(c.path).length);
      checked++;
    }
  }
  assert.equal(checked, 12);
});

Deno.test("slip10Child() refuses normal indexes and out-of-range ones", () => {
  const m = slip10Master(new Uint8Array(16));
  for (const i of [0, 1, HARDENED_OFFSET - 1, -1, 2 ** 32, 1.5]) {
    assert.throws(() => slip10Child(m, i), WalletError);
  }
  assert.equal(slip10Child(m, 2 ** 32 - 1).depth, 1);
});

Deno.test("slip10Master() refuses seeds outside 16..64 bytes", () => {
  assert.throws(() => slip10Master(new Uint8Array(15)), RangeError);
  assert.throws(() => slip10Master(new Uint8Array(65)), RangeError);
});

Deno.test("parseDerivationPath() accepts hardened marks and rejects everything else", () => {
  assert.deepEqual(parseDerivationPath("m"), []);
  assert.deepEqual(
    parseDerivationPath("m/44'/9555h/0H"),
    [44, 9555, 0].map((i) => i + HARDENED_OFFSET),
  );
  for (
    const bad of [
      "",
      "M/0'",
      "m/0",
      "m/44'/0",
      "m/01'",
      "m/-1'",
      "m/2147483648'",
      "m//0'",
      "m/0'/",
      "m/x'",
    ]
  ) {
    assert.throws(() => parseDerivationPath(bad), WalletError, bad);
  }
});

Deno.test("walletKeyPath() round-trips through parse and format", () => {
  const p = walletKeyPath(3, 1, 42);
  assert.equal(p, "m/44'/9555'/3'/1'/42'");
  assert.equal(formatDerivationPath(parseDerivationPath(p)), p);
  assert.throws(() => walletKeyPath(-1, 0, 0), WalletError);
  assert.throws(() => walletKeyPath(0, 0, HARDENED_OFFSET), WalletError);
});
