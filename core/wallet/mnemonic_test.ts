import assert from "node:assert/strict";
import { fromHex, toHex } from "../crypto/keccak.ts";
import {
  checkMnemonic,
  generateMnemonic,
  mnemonicEntropy,
  mnemonicFromEntropy,
  mnemonicToSeed,
} from "./mnemonic.ts";
import { WalletError } from "./wallet_errors.ts";

interface Bip39Vectors {
  passphrase: string;
  vectors: [string, string, string][];
}
const data: Bip39Vectors = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/bip39_vectors.json", import.meta.url)),
);

Deno.test("mnemonicFromEntropy() and mnemonicToSeed() match the Trezor BIP39 vectors", () => {
  assert.equal(data.vectors.length, 8);
  for (const [entropy, words, seed] of data.vectors) {
    assert.equal(mnemonicFromEntropy(fromHex(entropy)), words);
    assert.equal(toHex(mnemonicEntropy(words)), entropy);
    assert.equal(toHex(mnemonicToSeed(words, data.passphrase)), seed);
  }
});

Deno.test("mnemonicToSeed() depends on the passphrase", () => {
  const words = data.vectors[0]![1];
  assert.notEqual(toHex(mnemonicToSeed(words)), toHex(mnemonicToSeed(words, "TREZOR")));
});

Deno.test("generateMnemonic() gives 24 valid words from the injected randomness", () => {
  const fixed = (n: number) => new Uint8Array(n).fill(0x7f);
  assert.equal(generateMnemonic(fixed), data.vectors[1]![1]);
  const a = generateMnemonic(), b = generateMnemonic();
  assert.equal(checkMnemonic(a), a);
  assert.notEqual(a, b);
});

Deno.test("checkMnemonic() normalises case and spacing", () => {
  const words = data.vectors[2]![1];
  assert.equal(checkMnemonic(`  ${words.toUpperCase().replaceAll(" ", "\n  ")}\t`), words);
});

Deno.test("checkMnemonic() rejects bad word counts, unknown words and checksums clearly", () => {
  const words = data.vectors[3]![1].split(" ");
  const expectBad = (text: string, pattern: RegExp) =>
    assert.throws(() => checkMnemonic(text), (e) => {
      assert.ok(e instanceof WalletError);
      assert.equal(e.reason, "bad-mnemonic");
      assert.match(e.message, pattern);
      return true;
    });
  expectBad(words.slice(0, 12).join(" "), /24 words, got 12/);
  expectBad(words.slice(0, 23).join(" "), /got 23/);
  expectBad("", /got 0/);
  const typo = [...words];
  typo[4] = "zooo";
  expectBad(typo.join(" "), /word 5 is not in the BIP39/);
  const swapped = [...words];
  swapped[23] = "zoo"; // "zoo … zoo vote" → "zoo … zoo zoo": checksum breaks
  expectBad(swapped.join(" "), /checksum/);
  // The message never echoes the words.
  try {
    checkMnemonic(typo.join(" "));
  } catch (e) {
    assert.ok(!(e as Error).message.includes("zoo"));
  }
});
