/**
 * `rnt wallet backup FILE` (an encrypted copy, same passphrase) and `rnt wallet restore FILE`
 * (the wallet file from a backup, after its passphrase and MAC are checked).
 *
 * @module
 */
import { stringFlag } from "../command.ts";
import { getPassphrase } from "../secrets.ts";
import { UsageError } from "../../core/errors.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { decodeWallet, readWalletBytes, saveWallet } from "../../node/wallet/store.ts";
import { openWalletFile, printResult, refuseOverwrite, type WalletEnv } from "./env.ts";

function onePath(env: WalletEnv): string {
  const [path] = env.args.positionals;
  if (!path || env.args.positionals.length !== 1) throw new UsageError("give one FILE");
  return path;
}

/** `rnt wallet backup FILE`. */
export async function runBackup(env: WalletEnv): Promise<number> {
  const dest = onePath(env);
  const w = await openWalletFile(env); // proves the passphrase and the file before copying
  await saveWallet(w, dest);
  printResult(
    env,
    { backup: dest },
    () => [`Backup written to ${dest} (encrypted, same passphrase)`],
  );
  return 0;
}

/** `rnt wallet restore FILE`. */
export async function runRestore(env: WalletEnv): Promise<number> {
  const src = onePath(env);
  await refuseOverwrite(env);
  const bytes = await readWalletBytes(src);
  const pass = await getPassphrase(stringFlag(env.args, "password-file"));
  const { wallet } = await decodeWallet(bytes, pass, env.params); // MAC and data checked
  await writeFileAtomic(env.walletPath, bytes);
  if (Deno.build.os !== "windows") await Deno.chmod(env.walletPath, 0o600);
  printResult(env, { wallet: env.walletPath, addresses: wallet.addresses().length }, () => [
    `Restored ${wallet.addresses().length} addresses into ${env.walletPath}`,
  ]);
  return 0;
}
