/**
 * The `--recovery` flag of `rnt wallet`: `heartbeat:INTERVAL[:RECOVERY-PUBKEY]` or
 * `social:K:GUARDIAN1,GUARDIAN2,…:DELAY`, intervals and delays in seconds (a suffix `m`, `h` or
 * `d` multiplies by 60, 3600, 86400), keys as 64 hex digits. Without a recovery key the heartbeat
 * uses the wallet's own recovery key (branch 2 of the same index: keep the 24 words safe).
 *
 * @module
 */
import type { NetworkParams } from "../../core/consensus/params.ts";
import { fromHex } from "../../core/crypto/keccak.ts";
import { UsageError } from "../../core/errors.ts";
import { checkRecoverySpec, type RecoverySpec } from "../../core/wallet/recovery_spec.ts";
import { WalletError } from "../../core/wallet/wallet_errors.ts";

const UNITS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds from `90`, `90s`, `15m`, `2h` or `30d`; UsageError otherwise. */
export function parseDurationSecs(text: string, what: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be seconds (or with m/h/d), got '${text}'`);
  const n = Number(m[1]) * UNITS[m[2]!]!;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} is too large: '${text}'`);
  return n;
}

function parseKey(text: string, what: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new UsageError(`${what} must be 64 hex digits (an Ed25519 public key), got '${text}'`);
  }
  return fromHex(text.toLowerCase());
}

/**
 * Parses a `--recovery` value and checks it against the network; UsageError for the wrong
 * shape or a value the network refuses (interval or delay below the minimum, bad key).
 *
 * @example
 * ```ts
 * import { parseRecoveryFlag } from "./recovery_flag.ts";
 * import { REGTEST } from "../../core/consensus/params.ts";
 * console.log(parseRecoveryFlag("heartbeat:1h", REGTEST).kind); // heartbeat
 * ```
 */
export function parseRecoveryFlag(text: string, params: NetworkParams): RecoverySpec {
  const parts = text.split(":");
  let spec: RecoverySpec;
  if (parts[0] === "heartbeat" && (parts.length === 2 || parts.length === 3)) {
    spec = {
      kind: "heartbeat",
      intervalSecs: parseDurationSecs(parts[1]!, "heartbeat interval"),
      recovery: parts.length === 3
        ? { type: "key", publicKey: parseKey(parts[2]!, "recovery key") }
        : { type: "own" },
    };
  } else if (parts[0] === "social" && parts.length === 4) {
    if (!/^\d+$/.test(parts[1]!)) throw new UsageError(`guardian threshold must be an integer`);
    spec = {
      kind: "social",
      threshold: Number(parts[1]),
      guardians: parts[2]!.split(",").map((g) => parseKey(g, "guardian key")),
      cancelDelaySecs: parseDurationSecs(parts[3]!, "cancel delay"),
    };
  } else {
    throw new UsageError(
      `--recovery must be heartbeat:INTERVAL[:RECOVERY-PUBKEY] or ` +
        `social:K:GUARDIAN1,GUARDIAN2,…:DELAY, got '${text}'`,
    );
  }
  try {
    checkRecoverySpec(spec, params);
  } catch (e) {
    if (e instanceof WalletError) throw new UsageError(`--recovery: ${e.message}`);
    throw e;
  }
  return spec;
}
