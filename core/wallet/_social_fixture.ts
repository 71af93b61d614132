/**
 * A social-recovery setup for the wallet's unit tests (private to tests): an owner wallet with a
 * 2-of-3 social address, its coin (not on any chain: the request logic needs none) and the
 * guardians' keys.
 *
 * @module
 */
import { REGTEST } from "../consensus/params.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { pk } from "../primitives/policy.ts";
import type { RecoverySpec } from "./recovery_spec.ts";
import { Wallet, type WalletCoin } from "./wallet.ts";

/** The owner's 24 words (BIP39's all-`abandon` vector). */
export const OWNER_WORDS = "abandon ".repeat(23) + "art";

/** Builds the setup; `value` is the social coin's value in resonances. */
export function socialFixture(value = 50_000_000n) {
  const guardians = [1, 2, 3].map((n) => keyPairFromSeed(new Uint8Array(32).fill(n)));
  const owner = Wallet.fromMnemonic(REGTEST, OWNER_WORDS);
  const spec: RecoverySpec = {
    kind: "social",
    guardians: guardians.map((g) => g.publicKey),
    threshold: 2,
    cancelDelaySecs: 600,
  };
  const address = owner.newAddress(spec);
  const coin: WalletCoin = {
    outpoint: { txid: new Uint8Array(32).fill(7), vout: 1 },
    value,
    address: address.data,
    height: 5,
    coinbase: false,
    createdMtpSecs: 1_000,
  };
  const heir = keyPairFromSeed(new Uint8Array(32).fill(9));
  return {
    owner,
    guardians,
    address,
    coin,
    heir,
    base: {
      coin,
      socialPolicy: address.policy,
      newOwnerPolicy: pk(heir.publicKey),
      cancelDelaySecs: 600,
    },
  };
}
