/**
 * Bitcoin Core's JSON-RPC error codes (`src/rpc/protocol.h`), used unchanged so that clients
 * written for Core understand rnt's errors.
 *
 * @module
 */

/** Numeric JSON-RPC error codes, named as in Core's `RPCErrorCode`. */
export const RpcCode = {
  /** The body is not valid JSON, or is neither an object nor an array. */
  PARSE_ERROR: -32700,
  /** The request object is malformed (missing method, bad `jsonrpc`, bad params shape). */
  INVALID_REQUEST: -32600,
  /** No method of that name is registered. */
  METHOD_NOT_FOUND: -32601,
  /** Rarely used: parameters that contradict each other. */
  INVALID_PARAMS: -32602,
  /** An unexpected failure inside the server; the message never carries details. */
  INTERNAL_ERROR: -32603,
  /**
   * rnt's own, in JSON-RPC 2.0's range for server errors (Core has none): the reply would pass
   * the reply size limit of a request or batch (`DEFAULT_MAX_REPLY_BYTES`, 64 MiB).
   */
  REPLY_TOO_LARGE: -32001,
  /** Generic error; also wrong argument count (the message is the method's help). */
  MISC_ERROR: -1,
  /** A parameter has the wrong JSON type. */
  TYPE_ERROR: -3,
  /** Wallet error. */
  WALLET_ERROR: -4,
  /** Invalid address or key. */
  INVALID_ADDRESS_OR_KEY: -5,
  /** Not enough funds. */
  WALLET_INSUFFICIENT_FUNDS: -6,
  /** Invalid, missing or duplicate parameter. */
  INVALID_PARAMETER: -8,
  /** The node has no peers. */
  CLIENT_NOT_CONNECTED: -9,
  /** Still in initial block download. */
  CLIENT_IN_INITIAL_DOWNLOAD: -10,
  /** The wallet is locked. */
  WALLET_UNLOCK_NEEDED: -13,
  /** Wrong wallet passphrase. */
  WALLET_PASSPHRASE_INCORRECT: -14,
  /** A wallet command in the wrong lock state (e.g. unlocking a wallet that is not locked). */
  WALLET_WRONG_ENC_STATE: -15,
  /** Database error. */
  DATABASE_ERROR: -20,
  /** Bytes that do not decode. */
  DESERIALIZATION_ERROR: -22,
  /** Generic failure to submit a transaction or block. */
  VERIFY_ERROR: -25,
  /** Rejected by network rules. */
  VERIFY_REJECTED: -26,
  /** Already in the chain. */
  VERIFY_ALREADY_IN_CHAIN: -27,
  /** The node is still starting up. */
  IN_WARMUP: -28,
  /** The peer is not connected. */
  CLIENT_NODE_NOT_CONNECTED: -29,
  /** Invalid IP address or subnet. */
  CLIENT_INVALID_IP_OR_SUBNET: -30,
} as const;

/** One of the values of {@linkcode RpcCode}. */
export type RpcCodeValue = (typeof RpcCode)[keyof typeof RpcCode];
