/**
 * Social recovery between wallets on the command line: the new owner writes a request file
 * (`recover-social request`), guardians sign it (`guardian sign`), the new owner broadcasts it
 * (`recover-social finalize`) and, once the cancel delay has passed, claims the coin
 * (`recover-social claim`); until then the old owner can `cancel-recovery`, which finds the
 * pending recoveries of its coins on chain and needs no request file (the cancel reveals only
 * the owner's key). The new owner key is a key of the new owner's guardian branch
 * (`guardian key --index N`). The file formats are `core/wallet/request_file.ts`; building and
 * fee sizing are `core/wallet/social_recovery.ts`.
 *
 * @module
 */
import { intFlag, stringFlag } from "../command.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { UsageError } from "../../core/errors.ts";
import { encodeAddress, RecoveryKind } from "../../core/primitives/address.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import { pk } from "../../core/primitives/policy.ts";
import { policyHash } from "../../core/primitives/policy_codec.ts";
import { formatPolicy, parsePolicy } from "../../core/primitives/policy_text.ts";
import { matchPendingRecovery, matchSocial } from "../../core/primitives/recovery_policies.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { isSpendableAfter } from "../../core/wallet/balance.ts";
import {
  decodeRequestFile,
  decodeRequestFileTx,
  decodeSignatureFile,
  encodeRequestFile,
  encodeSignatureFile,
  signatureJson,
} from "../../core/wallet/request_file.ts";
import {
  createPaidRecoveryRequest,
  createRecoveryClaim,
  finalizeRecovery,
  findGuardianIndex,
  GUARDIAN_KEY_SEARCH,
  type RecoveryRequest,
  signRecoveryRequest,
} from "../../core/wallet/social_recovery.ts";
import { WalletError } from "../../core/wallet/wallet_errors.ts";
import { saveWallet } from "../../node/wallet/store.ts";
import {
  feeRateFlag,
  linkNode,
  openWalletFile,
  outpointText,
  printResult,
  requestFlag,
  type WalletEnv,
} from "./env.ts";

/** Reads the request file at `path`; its errors name the file. */
async function readRequest(env: WalletEnv, path: string): Promise<RecoveryRequest> {
  return await withPath(path, async () => decodeRequestFile(env.params, await readText(path)));
}

async function readText(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new WalletError("bad-recovery-request", `cannot read it (${(e as Error).message})`);
  }
}

/** Runs `fn`, prefixing the message of a bad-recovery-request it throws with `path`. */
async function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof WalletError && e.reason === "bad-recovery-request") {
      throw new WalletError("bad-recovery-request", `${path}: ${e.message}`);
    }
    throw e;
  }
}

/** `rnt wallet guardian key [--index N]`. */
export async function runGuardianKey(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const index = intFlag(env.args, "index", 0, 0, 1 << 30);
  const key = toHex(w.wallet.guardianKey(index));
  printResult(env, { index, public_key: key }, () => [key]);
  return 0;
}

/** `rnt wallet guardian sign --request F [--out F]`. */
export async function runGuardianSign(env: WalletEnv): Promise<number> {
  const path = requestFlag(env);
  const w = await openWalletFile(env);
  const req = await readRequest(env, path);
  const social = matchSocial(req.socialPolicy)!;
  const index = findGuardianIndex(w.wallet, social.guardians);
  if (index === undefined) {
    throw new WalletError("bad-recovery-request", "None of this wallet's keys guards that policy");
  }
  const sig = signRecoveryRequest(env.params, req, w.wallet.guardianSecretKey(index));
  const out = signatureJson(sig);
  const dest = stringFlag(env.args, "out");
  if (dest !== undefined) await Deno.writeTextFile(dest, encodeSignatureFile(sig));
  const m = matchPendingRecovery(req.pendingPolicy)!;
  printResult(env, out, () => [
    `Signed: ${formatRnt(req.tx.outputs[0]!.value)} RNT into a pending recovery the owner can ` +
    `cancel for ${m.delaySecs} s, then spendable by ${formatPolicy(m.newOwnerPolicy)}`,
    ...(dest === undefined ? [JSON.stringify(out)] : [`Signature written to ${dest}`]),
  ]);
  return 0;
}

/**
 * `rnt wallet recover-social request --policy P --out F [--coin TXID:N] [--delay S]
 * [--key-index N]`: a request moving a confirmed mature coin of the social policy (the largest,
 * or `--coin`) to a new owner key of this wallet.
 */
export async function runSocialRequest(env: WalletEnv): Promise<number> {
  const policyText = stringFlag(env.args, "policy");
  const dest = stringFlag(env.args, "out");
  if (policyText === undefined || dest === undefined) {
    throw new UsageError("give --policy SOCIAL-POLICY and --out FILE");
  }
  const socialPolicy = parsePolicy(policyText);
  const social = matchSocial(socialPolicy);
  if (!social) throw new UsageError("--policy is not a social-recovery policy");
  const w = await openWalletFile(env);
  const keyIndex = intFlag(env.args, "key-index", 0, 0, GUARDIAN_KEY_SEARCH - 1);
  const delay = intFlag(env.args, "delay", env.params.socialRecoveryMinDelaySecs, 0);
  const address = encodeAddress(env.params, {
    kind: RecoveryKind.social,
    hash: policyHash(socialPolicy),
  });
  const node = await linkNode(env);
  const tip = await node.tip();
  const coins = (await node.unspent([address]))
    .filter((c) => c.confirmations > 0 && isSpendableAfter(c, tip.height, env.params));
  const coinText = stringFlag(env.args, "coin");
  const coin = coinText === undefined
    ? coins.sort((a, b) => (a.value > b.value ? -1 : 1))[0]
    : coins.find((c) => outpointText(c.outpoint) === coinText);
  if (!coin) throw new WalletError("no-coins", `No confirmed coin of ${address} to recover`);
  const req = createPaidRecoveryRequest(env.params, {
    coin,
    socialPolicy,
    newOwnerPolicy: pk(w.wallet.guardianKey(keyIndex)),
    cancelDelaySecs: delay,
    feeRatePerByte: feeRateFlag(env),
  });
  await Deno.writeTextFile(dest, encodeRequestFile(env.params, req));
  printResult(env, { request: dest, coin: outpointText(coin.outpoint) }, () => [
    `Recovery request for ${formatRnt(coin.value)} RNT written to ${dest}; ` +
    `ask ${social.k} guardians to run 'rnt wallet guardian sign --request ${dest}'`,
  ]);
  return 0;
}

/** `rnt wallet recover-social finalize --request F SIGFILE…`. */
export async function runSocialFinalize(env: WalletEnv): Promise<number> {
  const req = await readRequest(env, requestFlag(env));
  const sigs = [];
  for (const f of env.args.positionals) {
    sigs.push(await withPath(f, async () => decodeSignatureFile(await readText(f))));
  }
  const tx = finalizeRecovery(env.params, req, sigs);
  const id = await (await linkNode(env)).broadcast(tx);
  printResult(env, { txid: id }, () => [id]);
  return 0;
}

/** `rnt wallet recover-social claim --request F`: after the delay, the coin to this wallet. */
export async function runSocialClaim(env: WalletEnv): Promise<number> {
  const req = await readRequest(env, requestFlag(env));
  const w = await openWalletFile(env);
  const m = matchPendingRecovery(req.pendingPolicy)!;
  const newOwner = m.newOwnerPolicy;
  if (newOwner.type !== "pk") {
    throw new WalletError("bad-recovery-request", "The new owner is not a single key");
  }
  const index = findGuardianIndex(w.wallet, [newOwner.key]);
  if (index === undefined) {
    throw new WalletError("bad-recovery-request", "The new owner key is not this wallet's");
  }
  const node = await linkNode(env);
  const coin = await node.pendingRecoveryCoin(req);
  const to = w.wallet.newAddress(w.wallet.defaultSpec());
  const tx = createRecoveryClaim(env.params, {
    coin,
    pendingPolicy: req.pendingPolicy,
    secretKey: w.wallet.guardianSecretKey(index),
    to: to.data,
    feeRatePerByte: feeRateFlag(env),
  });
  await saveWallet(w);
  const id = await node.broadcast(tx);
  printResult(env, { txid: id, address: to.address }, () => [id]);
  return 0;
}

/** `rnt wallet cancel-recovery [--request F]`: the owner cancels pending recoveries found on chain. */
export async function runCancel(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const node = await linkNode(env);
  let coins = await node.pendingRecoveries(w.wallet);
  const path = stringFlag(env.args, "request");
  if (path !== undefined) {
    // Only the request's transaction id is used: the pending policy is not needed to cancel.
    const tx = await withPath(
      path,
      async () => decodeRequestFileTx(env.params, await readText(path)),
    );
    const id = toHex(txid(env.params.magic, tx));
    coins = coins.filter((c) => toHex(c.outpoint.txid) === id);
  }
  if (coins.length === 0) {
    throw new WalletError("no-coins", "No pending recovery of this wallet's coins to cancel");
  }
  const built = w.wallet.createCancel({ coins, feeRatePerByte: feeRateFlag(env) });
  await saveWallet(w);
  const id = await node.broadcast(built.tx);
  printResult(env, {
    txid: id,
    address: built.changeAddress,
    cancelled: coins.map((c) => outpointText(c.outpoint)),
  }, () => [id]);
  return 0;
}
