/**
 * `rnt wallet …`: the wallet on the command line. The wallet file is `<datadir>/wallet.dat`
 * (or `--wallet FILE`), encrypted with a passphrase (Argon2id); chain data comes
 * from the node by JSON-RPC (`listunspentbyaddress`, `listaddresshistory`, `sendrawtransaction`).
 * Every secret can come from a file (`--password-file`, `--mnemonic-file`) or is typed with echo
 * off; `--json` prints one JSON document. Exit 0 ok, 1 failed (wrong passphrase, tampered file,
 * node error: nothing is overwritten), 2 usage.
 *
 * Social recovery between wallets: the new owner writes a request file (`recover-social
 * request`), guardians sign it (`guardian sign`), the new owner broadcasts it (`recover-social
 * finalize`) and, once the cancel delay has passed, claims the coin (`recover-social claim`);
 * until then the old owner can `cancel-recovery`, which finds the pending recoveries of its coins
 * on chain and needs no request file (the cancel reveals only the owner's key). The new owner key
 * is a key of the new owner's guardian branch (`guardian key --index N`).
 *
 * @module
 */
import {
  type CommandContext,
  type CommandSpec,
  intFlag,
  JSON_OPTION,
  NETWORK_OPTIONS,
  networkFlag,
  type ParsedArgs,
  stringFlag,
} from "./command.ts";
import { getNetworkParams, type NetworkParams } from "../core/consensus/params.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { UsageError } from "../core/errors.ts";
import { encodeAddress, RecoveryKind } from "../core/primitives/address.ts";
import { pk, type Policy } from "../core/primitives/policy.ts";
import { policyHash } from "../core/primitives/policy_codec.ts";
import { formatPolicy, parsePolicy } from "../core/primitives/policy_text.ts";
import { matchPendingRecovery, matchSocial } from "../core/primitives/recovery_policies.ts";
import { decodeTx, encodeTx, txSize } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { writeFileAtomic } from "../core/util/atomic_write.ts";
import { checkMnemonic } from "../core/wallet/mnemonic.ts";
import { specToJson } from "../core/wallet/recovery_spec.ts";
import {
  checkRecoveryRequest,
  createRecoveryRequest,
  finalizeRecovery,
  type GuardianSpend,
  guardianSpendOf,
  type RecoveryRequest,
  signRecoveryRequest,
} from "../core/wallet/social_recovery.ts";
import { signTx, Wallet, type WalletAddress } from "../core/wallet/wallet.ts";
import { WalletError } from "../core/wallet/wallet_errors.ts";
import { resolveCliEndpoint } from "./cli_command.ts";
import { RpcClient } from "../rpc/client.ts";
import { formatRnt } from "../core/primitives/amount.ts";
import { parseRntAmount } from "../core/primitives/amount.ts";
import { type FoundCoin, NodeLink } from "../node/wallet/node_link.ts";
import { defaultRecoverySpec, parseRecoveryFlag } from "../node/wallet/recovery_flag.ts";
import { getPassphrase, TERMINAL } from "../node/wallet/secrets.ts";
import {
  decodeWallet,
  exists,
  FAST_TEST_KDF,
  type OpenedWallet,
  readWalletBytes,
  saveWallet,
  unlockWallet,
  writeWallet,
} from "../node/wallet/store.ts";

/** How many unused addresses in a row end a rescan (BIP44's gap limit). */
export const DEFAULT_GAP_LIMIT = 20;
/** Guardian-branch keys searched for a matching guardian or new-owner key. */
const GUARDIAN_SEARCH = 100;

const COMMON = {
  ...NETWORK_OPTIONS,
  ...JSON_OPTION,
  datadir: {
    type: "string" as const,
    valueName: "DIR",
    description: "Node data directory (cookie; default wallet file DIR/wallet.dat)",
  },
  wallet: { type: "string" as const, valueName: "FILE", description: "Wallet file" },
  "password-file": {
    type: "string" as const,
    valueName: "F",
    description: "Read the wallet passphrase from F (first line) instead of asking",
  },
  rpcconnect: { type: "string" as const, valueName: "HOST", description: "Node RPC host" },
  rpcport: { type: "string" as const, valueName: "PORT", description: "Node RPC port" },
  rpcuser: { type: "string" as const, valueName: "USER", description: "RPC user" },
  rpcpassword: { type: "string" as const, valueName: "PASS", description: "RPC password" },
};
const RECOVERY_OPTION = {
  recovery: {
    type: "string" as const,
    valueName: "SPEC",
    description: "heartbeat:INTERVAL[:RECOVERY-PUBKEY] or social:K:G1,G2,…:DELAY",
  },
};
const FEE_OPTION = {
  "fee-rate": {
    type: "string" as const,
    valueName: "N",
    description: "Fee rate in resonances per byte (default the network's relay minimum)",
  },
};

interface Env {
  readonly args: ParsedArgs;
  readonly ctx: CommandContext;
  readonly params: NetworkParams;
  readonly json: boolean;
  readonly walletPath: string;
  readonly datadir: string;
}

function envOf(args: ParsedArgs, ctx: CommandContext): Env {
  const network = networkFlag(args);
  const { datadir } = resolveCliEndpoint({ network, datadir: stringFlag(args, "datadir") });
  return {
    args,
    ctx,
    params: getNetworkParams(network),
    json: args.values.json === true,
    walletPath: stringFlag(args, "wallet") ?? `${datadir}/wallet.dat`,
    datadir,
  };
}

async function link(env: Env): Promise<NodeLink> {
  const a = env.args;
  const { host, port, datadir } = resolveCliEndpoint({
    network: env.params.name,
    datadir: stringFlag(a, "datadir"),
    rpcconnect: stringFlag(a, "rpcconnect"),
    rpcport: stringFlag(a, "rpcport"),
  });
  const user = stringFlag(a, "rpcuser"), password = stringFlag(a, "rpcpassword");
  const client = await RpcClient.fromDatadir({
    datadir,
    port,
    host,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
  });
  return new NodeLink(client, env.params);
}

async function open(env: Env): Promise<OpenedWallet> {
  const bytes = await readWalletBytes(env.walletPath);
  const pass = await getPassphrase(stringFlag(env.args, "password-file"));
  const { wallet, kdf, key } = await unlockWallet(bytes, pass, env.params); // the one KDF run
  return { wallet, kdf, key, passphrase: pass, path: env.walletPath };
}

function feeRate(env: Env): bigint {
  const v = stringFlag(env.args, "fee-rate");
  if (v === undefined) return env.params.minRelayFeePerByte;
  if (!/^\d{1,12}$/.test(v)) throw new UsageError(`--fee-rate must be an integer, got '${v}'`);
  return BigInt(v);
}

function print(env: Env, json: unknown, lines: () => string[]): void {
  if (env.json) {
    env.ctx.out(JSON.stringify(json, (_k, v) => typeof v === "bigint" ? v.toString() : v, 2));
  } else for (const l of lines()) env.ctx.out(l);
}

function addressJson(a: WalletAddress) {
  return {
    address: a.address,
    branch: a.branch === 0 ? "receive" : "change",
    index: a.index,
    recovery: specToJson(a.spec),
    policy: formatPolicy(a.policy),
    label: a.label,
  };
}

/** The spec of the wallet's first receive address: the default for new addresses. */
function defaultSpecOf(w: Wallet) {
  return w.addresses().find((a) => a.branch === 0)?.spec ?? defaultRecoverySpec(w.params);
}

function fastKdf(env: Env) {
  if (env.args.values["insecure-fast-kdf"] !== true) return undefined;
  if (env.params.name !== "regtest") {
    throw new UsageError("--insecure-fast-kdf is for regtest tests only");
  }
  return FAST_TEST_KDF;
}

async function refuseOverwrite(env: Env): Promise<void> {
  if (await exists(env.walletPath)) {
    throw new Error(`${env.walletPath} already exists; refusing to overwrite it`);
  }
}

async function newPassphrase(env: Env): Promise<string> {
  const pass = await getPassphrase(stringFlag(env.args, "password-file"), { confirm: true });
  if (pass === "") throw new UsageError("the wallet passphrase must not be empty");
  return pass;
}

// ---------------------------------------------------------------- create / recover / backup

async function runCreate(env: Env): Promise<number> {
  await refuseOverwrite(env);
  const spec = parseSpecFlag(env) ?? defaultRecoverySpec(env.params);
  const kdf = fastKdf(env);
  const pass = await newPassphrase(env);
  const wallet = Wallet.generate(env.params);
  const first = wallet.newAddress(spec);
  await writeWallet(env.walletPath, wallet, pass, kdf);
  print(env, { mnemonic: wallet.mnemonic, wallet: env.walletPath, ...addressJson(first) }, () => [
    "Write down these 24 words, in order. They are shown only this once and are the only",
    "way to restore the wallet (with the recovery policy below):",
    "",
    wallet.mnemonic,
    "",
    `Wallet file: ${env.walletPath}`,
    `Recovery:    ${formatSpec(first)}`,
    `Address:     ${first.address}`,
  ]);
  return 0;
}

function parseSpecFlag(env: Env) {
  const v = stringFlag(env.args, "recovery");
  return v === undefined ? undefined : parseRecoveryFlag(v, env.params);
}

function formatSpec(a: WalletAddress): string {
  const s = a.spec;
  return s.kind === "heartbeat"
    ? `heartbeat every ${s.intervalSecs} s (recovery key: ${
      s.recovery.type === "own" ? "own, from the 24 words" : toHex(s.recovery.publicKey)
    })`
    : `social ${s.threshold} of ${s.guardians.length} guardians, cancel delay ${s.cancelDelaySecs} s`;
}

async function runRecover(env: Env): Promise<number> {
  await refuseOverwrite(env);
  const file = stringFlag(env.args, "mnemonic-file");
  const words = file !== undefined
    ? await Deno.readTextFile(file)
    : await TERMINAL.prompt("The 24 words: ");
  const mnemonic = checkMnemonic(words.trim());
  const spec = parseSpecFlag(env) ?? defaultRecoverySpec(env.params);
  const gap = intFlag(env.args, "gap", DEFAULT_GAP_LIMIT, 1, 1000);
  const kdf = fastKdf(env);
  const node = await link(env);
  const pass = await newPassphrase(env);
  // Derive in a scratch wallet until `gap` unused addresses in a row on each branch, then
  // derive the real one up to the last used index (at least one receive address).
  const scratch = Wallet.fromMnemonic(env.params, mnemonic);
  const lastUsed = { receive: -1, change: -1 };
  for (const change of [false, true]) {
    const key = change ? "change" : "receive";
    let derived = 0;
    while (derived - 1 - lastUsed[key] < gap) {
      const batch = Array.from({ length: gap }, () => scratch.newAddress(spec, { change }));
      const used = await node.usedAddresses(batch.map((a) => a.address));
      for (const a of batch) if (used.has(a.address)) lastUsed[key] = a.index;
      derived += gap;
    }
  }
  const wallet = Wallet.fromMnemonic(env.params, mnemonic);
  for (let i = 0; i <= Math.max(lastUsed.receive, 0); i++) wallet.newAddress(spec);
  for (let i = 0; i <= lastUsed.change; i++) wallet.newAddress(spec, { change: true });
  const coins = await node.unspent(wallet.addresses().map((a) => a.address));
  const balance = coins.reduce((s, c) => s + c.value, 0n);
  await writeWallet(env.walletPath, wallet, pass, kdf);
  print(env, {
    wallet: env.walletPath,
    receive_addresses: lastUsed.receive + 1,
    change_addresses: lastUsed.change + 1,
    addresses: wallet.addresses().map((a) => a.address),
    coins: coins.length,
    balance: formatRnt(balance),
    balance_resonances: balance,
  }, () => [
    `Recovered ${wallet.addresses().length} addresses (${lastUsed.receive + 1} receive, ` +
    `${lastUsed.change + 1} change used), ${coins.length} coins, ${formatRnt(balance)} RNT`,
    `Wallet file: ${env.walletPath}`,
  ]);
  return 0;
}

async function runBackup(env: Env): Promise<number> {
  const [dest] = env.args.positionals;
  if (!dest || env.args.positionals.length !== 1) throw new UsageError("give one FILE");
  const w = await open(env); // proves the passphrase and the file before copying
  await saveWallet(w, dest);
  print(env, { backup: dest }, () => [`Backup written to ${dest} (encrypted, same passphrase)`]);
  return 0;
}

async function runRestore(env: Env): Promise<number> {
  const [src] = env.args.positionals;
  if (!src || env.args.positionals.length !== 1) throw new UsageError("give one FILE");
  await refuseOverwrite(env);
  const bytes = await readWalletBytes(src);
  const pass = await getPassphrase(stringFlag(env.args, "password-file"));
  const { wallet } = await decodeWallet(bytes, pass, env.params); // MAC and data checked
  await writeFileAtomic(env.walletPath, bytes);
  if (Deno.build.os !== "windows") await Deno.chmod(env.walletPath, 0o600);
  print(env, { wallet: env.walletPath, addresses: wallet.addresses().length }, () => [
    `Restored ${wallet.addresses().length} addresses into ${env.walletPath}`,
  ]);
  return 0;
}

// ---------------------------------------------------------------- addresses and coins

async function runAddress(env: Env): Promise<number> {
  const w = await open(env);
  const spec = parseSpecFlag(env) ?? defaultSpecOf(w.wallet);
  const label = stringFlag(env.args, "label") ?? "";
  const a = w.wallet.newAddress(spec, { label });
  await saveWallet(w);
  print(env, addressJson(a), () => [a.address]);
  return 0;
}

async function coinsOf(env: Env, w: Wallet) {
  const node = await link(env);
  const [tip, coins] = await Promise.all([
    node.tip(),
    node.unspent(w.addresses().map((a) => a.address)),
  ]);
  return { node, tip, coins };
}

function isMature(env: Env, c: FoundCoin, tipHeight: number): boolean {
  return !c.coinbase || tipHeight + 1 - c.height >= env.params.coinbaseMaturity;
}

async function runBalance(env: Env): Promise<number> {
  const w = await open(env);
  const { tip, coins } = await coinsOf(env, w.wallet);
  let confirmed = 0n, unconfirmed = 0n, immature = 0n;
  for (const c of coins) {
    if (c.confirmations === 0) unconfirmed += c.value;
    else if (!isMature(env, c, tip.height)) immature += c.value;
    else confirmed += c.value;
  }
  print(env, {
    balance: formatRnt(confirmed),
    balance_resonances: confirmed,
    unconfirmed: formatRnt(unconfirmed),
    unconfirmed_resonances: unconfirmed,
    immature: formatRnt(immature),
    immature_resonances: immature,
    coins: coins.length,
    height: tip.height,
  }, () => [
    `confirmed    ${formatRnt(confirmed).padStart(20)} RNT`,
    `unconfirmed  ${formatRnt(unconfirmed).padStart(20)} RNT`,
    `immature     ${formatRnt(immature).padStart(20)} RNT`,
  ]);
  return 0;
}

async function runSend(env: Env): Promise<number> {
  const [to, amountText, ...extra] = env.args.positionals;
  if (!to || !amountText || extra.length) throw new UsageError("give ADDR AMOUNT");
  const value = parseRntAmount(amountText);
  const rate = feeRate(env);
  const w = await open(env);
  const { node, tip, coins } = await coinsOf(env, w.wallet);
  const built = w.wallet.createSpend({
    coins,
    payments: [{ address: to, value }],
    feeRatePerByte: rate,
    tipHeight: tip.height,
  });
  if (built.changeAddress) await saveWallet(w);
  const id = await node.broadcast(built.tx);
  print(env, {
    txid: id,
    fee: formatRnt(built.feeResonances),
    fee_resonances: built.feeResonances,
    size: built.sizeBytes,
    change_address: built.changeAddress,
  }, () => [id]);
  return 0;
}

async function runHistory(env: Env): Promise<number> {
  const w = await open(env);
  const node = await link(env);
  const rows = await node.history(w.wallet.addresses().map((a) => a.address));
  print(
    env,
    rows.map((r) => ({
      txid: r.txid,
      height: r.height,
      time: r.time,
      confirmations: r.confirmations,
      coinbase: r.coinbase,
      amount: formatRnt(r.receivedResonances - r.sentResonances),
      amount_resonances: r.receivedResonances - r.sentResonances,
    })),
    () =>
      rows.map((r) =>
        `${String(r.height ?? "mempool").padStart(7)}  ${
          formatRnt(r.receivedResonances - r.sentResonances).padStart(20)
        }  ${r.txid}${r.coinbase ? "  coinbase" : ""}`
      ),
  );
  return 0;
}

async function runHeartbeat(env: Env): Promise<number> {
  const w = await open(env);
  const { node, tip, coins } = await coinsOf(env, w.wallet);
  const due = stringFlag(env.args, "due-within");
  const built = w.wallet.createHeartbeat({
    coins: coins.filter((c) => c.confirmations > 0),
    feeRatePerByte: feeRate(env),
    tipHeight: tip.height,
    tipMtpSecs: tip.mtpSecs,
    ...(due === undefined ? {} : { dueWithinSecs: intFlag(env.args, "due-within", 0) }),
  });
  const id = await node.broadcast(built.tx);
  print(env, {
    txid: id,
    coins: built.spent.length,
    fee_resonances: built.feeResonances,
  }, () => [`${id} (re-spent ${built.spent.length} coins to themselves)`]);
  return 0;
}

async function runStatus(env: Env): Promise<number> {
  const w = await open(env);
  const { tip, coins } = await coinsOf(env, w.wallet);
  const rows = w.wallet.status(coins, tip.mtpSecs);
  print(
    env,
    {
      height: tip.height,
      mediantime: tip.mtpSecs,
      coins: rows.map((s) => ({
        txid: toHex(s.coin.outpoint.txid),
        vout: s.coin.outpoint.vout,
        address: s.address,
        value: formatRnt(s.coin.value),
        value_resonances: s.coin.value,
        age_secs: s.ageSecs,
        recovery_opens_in_secs: s.recoveryOpensInSecs,
        emission_return_in_secs: s.emissionReturnInSecs,
      })),
    },
    () => [
      `${"value".padStart(20)}  ${"age s".padStart(10)}  ${"recovery in".padStart(12)}  ${
        "return in".padStart(12)
      }  outpoint`,
      ...rows.map((s) =>
        `${formatRnt(s.coin.value).padStart(20)}  ${String(s.ageSecs).padStart(10)}  ${
          String(s.recoveryOpensInSecs ?? "-").padStart(12)
        }  ${String(s.emissionReturnInSecs).padStart(12)}  ${
          toHex(s.coin.outpoint.txid)
        }:${s.coin.outpoint.vout}`
      ),
    ],
  );
  return 0;
}

// ---------------------------------------------------------------- social recovery

interface RequestFile {
  format: "rnt-recovery-request";
  network: string;
  tx: string;
  spent_value: string;
  social_policy: string;
  pending_policy: string;
}

function requestToFile(params: NetworkParams, r: RecoveryRequest): RequestFile {
  return {
    format: "rnt-recovery-request",
    network: params.name,
    tx: toHex(encodeTx(r.tx)),
    spent_value: r.spent.value.toString(),
    social_policy: formatPolicy(r.socialPolicy),
    pending_policy: formatPolicy(r.pendingPolicy),
  };
}

async function readRequest(env: Env, path: string): Promise<RecoveryRequest> {
  const bad = (m: string) => new WalletError("bad-recovery-request", `${path}: ${m}`);
  let j: RequestFile;
  try {
    j = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (j.format !== "rnt-recovery-request" || j.network !== env.params.name) {
    throw bad(`not a ${env.params.name} recovery request`);
  }
  const socialPolicy = parsePolicy(j.social_policy);
  const req: RecoveryRequest = {
    tx: decodeTx(fromHex(j.tx), env.params.maxTxBytes),
    spent: {
      value: BigInt(j.spent_value),
      address: { kind: RecoveryKind.social, hash: policyHash(socialPolicy) },
    },
    socialPolicy,
    pendingPolicy: parsePolicy(j.pending_policy),
  };
  checkRecoveryRequest(env.params, req);
  return req;
}

function requestPath(env: Env): string {
  const p = stringFlag(env.args, "request");
  if (p === undefined) throw new UsageError("missing --request FILE");
  return p;
}

async function runGuardianKey(env: Env): Promise<number> {
  const w = await open(env);
  const index = intFlag(env.args, "index", 0, 0, 1 << 30);
  const key = toHex(w.wallet.guardianKey(index));
  print(env, { index, public_key: key }, () => [key]);
  return 0;
}

function guardianIndexOf(w: Wallet, keys: readonly Uint8Array[]): number | undefined {
  const wanted = new Set(keys.map(toHex));
  for (let i = 0; i < GUARDIAN_SEARCH; i++) if (wanted.has(toHex(w.guardianKey(i)))) return i;
  return undefined;
}

async function runGuardianSign(env: Env): Promise<number> {
  const path = requestPath(env);
  const w = await open(env);
  const req = await readRequest(env, path);
  const social = matchSocial(req.socialPolicy)!;
  const index = guardianIndexOf(w.wallet, social.guardians);
  if (index === undefined) {
    throw new WalletError("bad-recovery-request", "None of this wallet's keys guards that policy");
  }
  const sig = signRecoveryRequest(env.params, req, w.wallet.guardianSecretKey(index));
  const out = { public_key: toHex(sig.publicKey), signature: toHex(sig.signature) };
  const dest = stringFlag(env.args, "out");
  if (dest !== undefined) await Deno.writeTextFile(dest, JSON.stringify(out) + "\n");
  const m = matchPendingRecovery(req.pendingPolicy)!;
  print(env, out, () => [
    `Signed: ${formatRnt(req.tx.outputs[0]!.value)} RNT into a pending recovery the owner can ` +
    `cancel for ${m.delaySecs} s, then spendable by ${formatPolicy(m.newOwnerPolicy)}`,
    ...(dest === undefined ? [JSON.stringify(out)] : [`Signature written to ${dest}`]),
  ]);
  return 0;
}

async function runSocialRequest(env: Env): Promise<number> {
  const policyText = stringFlag(env.args, "policy");
  const dest = stringFlag(env.args, "out");
  if (policyText === undefined || dest === undefined) {
    throw new UsageError("give --policy SOCIAL-POLICY and --out FILE");
  }
  const socialPolicy = parsePolicy(policyText);
  const social = matchSocial(socialPolicy);
  if (!social) throw new UsageError("--policy is not a social-recovery policy");
  const w = await open(env);
  const keyIndex = intFlag(env.args, "key-index", 0, 0, GUARDIAN_SEARCH - 1);
  const delay = intFlag(env.args, "delay", env.params.socialRecoveryMinDelaySecs, 0);
  const address = encodeAddress(env.params, {
    kind: RecoveryKind.social,
    hash: policyHash(socialPolicy),
  });
  const node = await link(env);
  const tip = await node.tip();
  const coins = (await node.unspent([address]))
    .filter((c) => c.confirmations > 0 && isMature(env, c, tip.height));
  const coinText = stringFlag(env.args, "coin");
  const coin = coinText === undefined
    ? coins.sort((a, b) => (a.value > b.value ? -1 : 1))[0]
    : coins.find((c) => `${toHex(c.outpoint.txid)}:${c.outpoint.vout}` === coinText);
  if (!coin) throw new WalletError("no-coins", `No confirmed coin of ${address} to recover`);
  const base = {
    coin,
    socialPolicy,
    newOwnerPolicy: pk(w.wallet.guardianKey(keyIndex)),
    cancelDelaySecs: delay,
  };
  // The fee pays for the final size: the request plus `threshold` guardian signatures.
  const draft = createRecoveryRequest(env.params, { ...base, feeResonances: 0n });
  const signatures = Array.from({ length: social.k }, (_, i) => ({
    publicKey: new Uint8Array(32).fill(i + 1),
    signature: new Uint8Array(64),
  }));
  const size = txSize({
    ...draft.tx,
    witnesses: [{ policy: socialPolicy, satisfaction: { signatures, preimages: [] } }],
  });
  const req = createRecoveryRequest(env.params, {
    ...base,
    feeResonances: feeRate(env) * BigInt(size),
  });
  await Deno.writeTextFile(dest, JSON.stringify(requestToFile(env.params, req), null, 2) + "\n");
  print(env, { request: dest, coin: `${toHex(coin.outpoint.txid)}:${coin.outpoint.vout}` }, () => [
    `Recovery request for ${formatRnt(coin.value)} RNT written to ${dest}; ` +
    `ask ${social.k} guardians to run 'rnt wallet guardian sign --request ${dest}'`,
  ]);
  return 0;
}

async function runSocialFinalize(env: Env): Promise<number> {
  const req = await readRequest(env, requestPath(env));
  const sigs = [];
  for (const f of env.args.positionals) {
    const j = JSON.parse(await Deno.readTextFile(f));
    sigs.push({ publicKey: fromHex(j.public_key), signature: fromHex(j.signature) });
  }
  const tx = finalizeRecovery(env.params, req, sigs);
  const id = await (await link(env)).broadcast(tx);
  print(env, { txid: id }, () => [id]);
  return 0;
}

async function pendingCoin(env: Env, req: RecoveryRequest): Promise<FoundCoin> {
  const address = encodeAddress(env.params, req.tx.outputs[0]!.address);
  const id = toHex(txid(env.params.magic, req.tx));
  const coins = await (await link(env)).unspent([address]);
  const coin = coins.find((c) => toHex(c.outpoint.txid) === id && c.confirmations > 0);
  if (!coin) throw new WalletError("no-coins", `No confirmed pending-recovery output ${id}:0`);
  return coin;
}

async function runSocialClaim(env: Env): Promise<number> {
  const req = await readRequest(env, requestPath(env));
  const w = await open(env);
  const m = matchPendingRecovery(req.pendingPolicy)!;
  if (m.newOwnerPolicy.type !== "pk") {
    throw new WalletError("bad-recovery-request", "The new owner is not a single key");
  }
  const index = guardianIndexOf(w.wallet, [(m.newOwnerPolicy as Policy & { key: Uint8Array }).key]);
  if (index === undefined) {
    throw new WalletError("bad-recovery-request", "The new owner key is not this wallet's");
  }
  const coin = await pendingCoin(env, req);
  const to = w.wallet.newAddress(defaultSpecOf(w.wallet));
  const signer = [{ policy: req.pendingPolicy, secretKey: w.wallet.guardianSecretKey(index) }];
  const draft = signTx(env.params, [coin], [{ value: coin.value, address: to.data }], 0, signer);
  const fee = feeRate(env) * BigInt(txSize(draft));
  if (coin.value <= fee) throw new WalletError("insufficient-funds", "Coin cannot pay the fee");
  const tx = signTx(env.params, [coin], [{ value: coin.value - fee, address: to.data }], 0, signer);
  await saveWallet(w);
  const id = await (await link(env)).broadcast(tx);
  print(env, { txid: id, address: to.address }, () => [id]);
  return 0;
}

/**
 * The unspent pending recoveries of this wallet's coins, found on chain (and in the mempool):
 * guardian spends among the transactions spending our addresses, whose recorded owner is ours.
 */
async function pendingRecoveries(env: Env, node: NodeLink, w: Wallet) {
  const rows = await node.history(w.addresses().map((a) => a.address));
  const spends: GuardianSpend[] = [];
  for (const r of rows) {
    if (r.sentResonances === 0n) continue;
    const g = guardianSpendOf(env.params, await node.transaction(r.txid));
    if (g && w.pendingOwnerOf(g.pendingOwnerHash)) spends.push(g);
  }
  const coins = await node.unspent(spends.map((g) => encodeAddress(env.params, g.address)));
  return coins.flatMap((c) => {
    const id = `${toHex(c.outpoint.txid)}:${c.outpoint.vout}`;
    const g = spends.find((s) => `${toHex(s.outpoint.txid)}:${s.outpoint.vout}` === id);
    return g ? [{ ...c, pendingOwnerHash: g.pendingOwnerHash }] : [];
  });
}

async function runCancel(env: Env): Promise<number> {
  const w = await open(env);
  const node = await link(env);
  let coins = await pendingRecoveries(env, node, w.wallet);
  const path = stringFlag(env.args, "request");
  if (path !== undefined) {
    // Only the request's transaction id is used: the pending policy is not needed to cancel.
    let id: string;
    try {
      const j = JSON.parse(await Deno.readTextFile(path));
      id = toHex(txid(env.params.magic, decodeTx(fromHex(j.tx), env.params.maxTxBytes)));
    } catch (e) {
      throw new WalletError("bad-recovery-request", `${path}: ${(e as Error).message}`);
    }
    coins = coins.filter((c) => toHex(c.outpoint.txid) === id);
  }
  if (coins.length === 0) {
    throw new WalletError("no-coins", "No pending recovery of this wallet's coins to cancel");
  }
  const built = w.wallet.createCancel({ coins, feeRatePerByte: feeRate(env) });
  await saveWallet(w);
  const id = await node.broadcast(built.tx);
  print(env, {
    txid: id,
    address: built.changeAddress,
    cancelled: coins.map((c) => `${toHex(c.outpoint.txid)}:${c.outpoint.vout}`),
  }, () => [id]);
  return 0;
}

// ---------------------------------------------------------------- the command tree

function cmd(
  name: string,
  summary: string,
  usage: string,
  run: (env: Env) => Promise<number>,
  options: CommandSpec["options"] = {},
  positionals = false,
): CommandSpec {
  return {
    name,
    summary,
    usage: `wallet ${usage}`,
    options: { ...COMMON, ...options },
    positionals,
    run: (args, ctx) => run(envOf(args, ctx)),
  };
}

const FAST_KDF_OPTION = {
  "insecure-fast-kdf": {
    type: "boolean" as const,
    description: "Regtest tests only: a 64 KiB Argon2id instead of 64 MiB",
  },
};

/** `rnt wallet` and its subcommands. */
export const WALLET_COMMAND: CommandSpec = {
  name: "wallet",
  summary: "Wallet: 24-word recovery, encrypted backups, recovery policies",
  usage: "wallet COMMAND [OPTIONS]",
  subcommands: [
    cmd(
      "create",
      "Create a wallet (prints the 24 words once)",
      "create [--recovery SPEC]",
      runCreate,
      {
        ...RECOVERY_OPTION,
        ...FAST_KDF_OPTION,
      },
    ),
    cmd(
      "recover",
      "Recreate a wallet from its 24 words and rescan the chain",
      "recover [--mnemonic-file F] [--recovery SPEC] [--gap N]",
      runRecover,
      {
        ...RECOVERY_OPTION,
        ...FAST_KDF_OPTION,
        "mnemonic-file": { type: "string", valueName: "F", description: "Read the words from F" },
        gap: { type: "string", valueName: "N", description: "Gap limit (default 20)" },
      },
    ),
    cmd("backup", "Write an encrypted backup", "backup FILE", runBackup, {}, true),
    cmd("restore", "Restore the wallet file from a backup", "restore FILE", runRestore, {}, true),
    cmd("address", "A new receive address", "address [--recovery SPEC] [--label L]", runAddress, {
      ...RECOVERY_OPTION,
      label: { type: "string", valueName: "L", description: "Label" },
    }),
    cmd("balance", "Confirmed, unconfirmed and immature balance", "balance", runBalance),
    cmd(
      "send",
      "Pay an address (change keeps the recovery policy)",
      "send ADDR AMOUNT [--fee-rate N]",
      runSend,
      FEE_OPTION,
      true,
    ),
    cmd("history", "Transactions paying or spending the wallet", "history", runHistory),
    cmd(
      "heartbeat",
      "Re-spend aging coins to themselves (proof of life)",
      "heartbeat [--due-within SECS] [--fee-rate N]",
      runHeartbeat,
      {
        ...FEE_OPTION,
        "due-within": {
          type: "string",
          valueName: "SECS",
          description: "Only coins whose recovery or emission return opens within SECS",
        },
      },
    ),
    cmd("status", "Time left before each coin's recovery or emission return", "status", runStatus),
    {
      name: "guardian",
      summary: "Being a guardian of someone's social recovery",
      usage: "wallet guardian key|sign",
      subcommands: [
        cmd("key", "Print a guardian public key", "guardian key [--index N]", runGuardianKey, {
          index: { type: "string", valueName: "N", description: "Key index (default 0)" },
        }),
        cmd(
          "sign",
          "Sign a recovery request",
          "guardian sign --request F [--out F]",
          runGuardianSign,
          {
            request: { type: "string", valueName: "F", description: "Request file" },
            out: { type: "string", valueName: "F", description: "Write the signature to F" },
          },
        ),
      ],
    },
    {
      name: "recover-social",
      summary: "Recover a social-recovery coin with guardians",
      usage: "wallet recover-social request|finalize|claim",
      subcommands: [
        cmd(
          "request",
          "Write a recovery request to a key of this wallet",
          "recover-social request --policy P --out F [--coin TXID:N] [--delay S] [--key-index N]",
          runSocialRequest,
          {
            ...FEE_OPTION,
            policy: { type: "string", valueName: "P", description: "The social policy" },
            out: { type: "string", valueName: "F", description: "Request file to write" },
            coin: { type: "string", valueName: "TXID:N", description: "Coin (default largest)" },
            delay: { type: "string", valueName: "S", description: "Owner's cancel window" },
            "key-index": { type: "string", valueName: "N", description: "New owner key index" },
          },
        ),
        cmd(
          "finalize",
          "Combine guardian signatures and broadcast",
          "recover-social finalize --request F SIGFILE…",
          runSocialFinalize,
          { request: { type: "string", valueName: "F", description: "Request file" } },
          true,
        ),
        cmd(
          "claim",
          "After the delay, move the recovered coin to this wallet",
          "recover-social claim --request F",
          runSocialClaim,
          {
            ...FEE_OPTION,
            request: { type: "string", valueName: "F", description: "Request file" },
          },
        ),
      ],
    },
    cmd(
      "cancel-recovery",
      "Owner: cancel the pending social recoveries of this wallet's coins (found on chain)",
      "cancel-recovery [--request F]",
      runCancel,
      {
        ...FEE_OPTION,
        request: { type: "string", valueName: "F", description: "Only this request's recovery" },
      },
    ),
  ],
};
