/**
 * Consensus data types: the policy language, satisfactions, addresses, transactions and blocks,
 * with their canonical encodings and hashes.
 *
 * @example
 * ```ts
 * import { addressOfPolicy, heartbeatPolicy, formatPolicy, RecoveryKind } from "./mod.ts";
 * const owner = new Uint8Array(32).fill(1), recovery = new Uint8Array(32).fill(2);
 * const policy = heartbeatPolicy(owner, recovery, 86400);
 * console.log(formatPolicy(policy).startsWith("or(pk(")); // true
 * console.log(addressOfPolicy({ hrp: "rrnt" }, RecoveryKind.heartbeat, policy).startsWith("rrnt1")); // true
 * ```
 *
 * @module
 */
export {
  after,
  and,
  hashLock,
  hasTimelock,
  multi,
  older,
  or,
  pk,
  type Policy,
  POLICY_LIMITS,
  policyHashLocks,
  policyKeys,
  policyProblem,
  thresh,
} from "./policy.ts";
export { decodePolicy, encodePolicy, policyHash, readPolicy } from "./policy_codec.ts";
export { formatPolicy, parsePolicy } from "./policy_text.ts";
export {
  compareBytes,
  type KeySignature,
  makeSatisfaction,
  readSatisfaction,
  type Satisfaction,
  SATISFACTION_LIMITS,
  satisfactionProblem,
  writeSatisfaction,
} from "./satisfaction.ts";
export {
  checkSatisfaction,
  type SatisfactionContext,
  type SatisfactionFailure,
  type SatisfactionResult,
  signatureChecks,
} from "./check_satisfaction.ts";
export {
  heartbeatPolicy,
  matchHeartbeat,
  matchPendingRecovery,
  matchSocial,
  pendingRecoveryPolicy,
  socialPolicy,
} from "./recovery_policies.ts";
export {
  ADDRESS_PAYLOAD_BYTES,
  ADDRESS_VERSION,
  type AddressData,
  addressOfPolicy,
  decodeAddress,
  encodeAddress,
  encodeAddressPayload,
  isKnownRecoveryKind,
  readAddressData,
  RecoveryKind,
  writeAddressData,
} from "./address.ts";
export {
  decodeTx,
  DEFAULT_MAX_TX_BYTES,
  encodeTx,
  type InputWitness,
  isCoinbase,
  isNullOutPoint,
  NULL_OUTPOINT,
  type OutPoint,
  readTx,
  type Tx,
  type TxIn,
  type TxOut,
  txSize,
  writeTx,
} from "./tx.ts";
export { sighash, sighashes, txid, wtxid } from "./tx_hash.ts";
export {
  type Block,
  type BlockHeader,
  blockId,
  type BlockLimits,
  computeTxRoot,
  computeWitnessRoot,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  encodeUnsignedHeader,
  HEADER_BYTES,
  readHeader,
  signHeader,
  UNSIGNED_HEADER_BYTES,
  type UnsignedHeader,
  unsignedOf,
  verifyHeaderSignature,
  writeHeader,
} from "./block.ts";
