/**
 * The JSON-RPC layer of rnt: a method registry and a dispatcher with Bitcoin Core's semantics,
 * cookie and `rpcauth` authentication, the Hono server, and the client behind `rnt cli`.
 * Methods are registered by the node; this protocol layer knows nothing of the chain (the node's
 * methods live in `rpc/methods/`, the `rnt cli` command in `cli/`).
 *
 * @example
 * ```ts
 * import { createRpcApp, RpcAuthenticator, RpcRegistry } from "./mod.ts";
 * const registry = new RpcRegistry().register({
 *   name: "echo",
 *   params: [{ name: "value", type: "any", required: true, description: "Any JSON value" }],
 *   help: "Returns its argument.",
 *   handler: ([value]) => value,
 * });
 * const app = createRpcApp(registry, new RpcAuthenticator({ userPass: ["u:p"] }));
 * const res = await app.request("/", {
 *   method: "POST",
 *   headers: { authorization: "Basic " + btoa("u:p") },
 *   body: '{"jsonrpc":"2.0","method":"echo","params":["hi"],"id":7}',
 * });
 * console.log(await res.text()); // {"jsonrpc":"2.0","result":"hi","id":7}
 * ```
 *
 * @module
 */
export { RpcCode, type RpcCodeValue } from "./error_codes.ts";
export {
  formatMethodHelp,
  formatUsageLine,
  type RpcContext,
  type RpcMethod,
  type RpcParam,
  type RpcParamType,
} from "./method.ts";
export { RpcRegistry, type RpcRegistryOptions } from "./registry.ts";
export {
  checkParams,
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_MAX_REPLY_BYTES,
  type DispatchOptions,
  executeRpc,
  handleJsonRpc,
  httpStatusForRpcCode,
  type JsonRpcReply,
  type RpcErrorObject,
  toPositionalParams,
} from "./json_rpc.ts";
export {
  isRawJson,
  jsonNumber,
  MAX_JSON_DEPTH,
  parseJsonBounded,
  parseJsonExact,
  type RawJson,
  stringifyJson,
} from "./json_text.ts";
export {
  type AuthCookie,
  COOKIE_FILE_NAME,
  COOKIE_USER,
  cookiePath,
  generateRpcAuth,
  parseRpcAuthLine,
  readAuthCookie,
  type RpcAuthConfig,
  RpcAuthenticator,
  type RpcAuthEntry,
  rpcAuthHash,
  writeAuthCookie,
} from "./auth.ts";
export { timingSafeEqual } from "../core/util/timing_safe_equal.ts";
export {
  createRpcApp,
  DEFAULT_MAX_BODY_BYTES,
  FAILED_AUTH_DELAY_MS,
  type RpcAppOptions,
  type RpcServerHandle,
  startRpcServer,
  type StartRpcServerOptions,
} from "./server.ts";
export {
  formatHostPort,
  RpcClient,
  type RpcClientOptions,
  RpcTransportError,
  type RpcTransportErrorKind,
} from "./client.ts";
export { DEFAULT_RPC_HOST, defaultDatadir, defaultRpcPort } from "./defaults.ts";
