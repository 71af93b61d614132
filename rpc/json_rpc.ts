/**
 * The JSON-RPC dispatcher, with Bitcoin Core's semantics (`src/httprpc.cpp`,
 * `src/rpc/request.cpp`, `src/rpc/server.cpp`, `src/rpc/util.cpp`):
 *
 * - `"jsonrpc": "2.0"` → strict 2.0: the reply echoes it, holds only one of result/error, is
 *   HTTP 200 even for RPC errors; without an `id` the request is a notification → 204, no body.
 * - otherwise legacy 1.0/1.1: result and error both present (one null); an error sets the HTTP
 *   status: −32600 → 400, −32601 → 404, anything else → 500.
 * - an array is a batch: one reply per non-notification, in order, always HTTP 200 (204 when
 *   all were notifications). An empty batch is −32600 "Empty batch" (Core answers `[]`; we follow
 *   JSON-RPC 2.0, which calls it invalid). Batches over `maxBatchSize` are refused the same way.
 * - params by position or by name; a named call may add `args` for leading positional values.
 * - argument count wrong → −1 with the method's help; wrong JSON type → −3 "Wrong type passed";
 *   handlers throw `RpcError` (−8 and the like); any other exception → −32603 "Internal error",
 *   never its message or stack.
 * - malformed JSON, nesting over 512 levels, or a body neither object nor array → −32700.
 * - the reply text of one request or of a whole batch is bounded by `maxReplyBytes` (default
 *   64 MiB of UTF-8): a result that would pass it is dropped and answered −32001, and every
 *   later request of the batch is answered −32001 without being run, so no request can make
 *   the node build a reply it cannot hold (Core has no such limit).
 *
 * The registry and method types live in `registry.ts` and `method.ts` and are re-exported here.
 *
 * @module
 */
import { RpcError } from "../core/errors.ts";
import { RpcCode } from "./error_codes.ts";
import { parseJsonBounded, stringifyJson } from "./json_text.ts";
import type { RpcContext, RpcMethod, RpcParam } from "./method.ts";
import { formatMethodHelp } from "./method.ts";
import type { RpcRegistry } from "./registry.ts";

export type { RpcContext, RpcMethod, RpcParam, RpcParamType } from "./method.ts";
export { RpcRegistry } from "./registry.ts";

/** What to send back over HTTP: a status and a JSON body, or no body (null) for 204. */
export interface JsonRpcReply {
  /** HTTP status code. */
  status: number;
  /** The response body (JSON text ending in a newline), or null for no body. */
  body: string | null;
}

/** Options of {@linkcode handleJsonRpc} and {@linkcode executeRpc}. */
export interface DispatchOptions {
  /** Most requests in one batch (default 10 000); more is −32600. */
  maxBatchSize?: number;
  /**
   * Most bytes (UTF-8) of reply text one request or one batch may produce (default 64 MiB);
   * results past it are refused with −32001 (see {@linkcode DEFAULT_MAX_REPLY_BYTES}).
   */
  maxReplyBytes?: number;
  /** Called with any non-RpcError a handler throws (the client only sees −32603). */
  onInternalError?: (error: unknown, method: string) => void;
  /** Called with each method name before it runs (the node's `-debug=rpc` log). */
  onCall?: (method: string) => void;
}

/** Default {@linkcode DispatchOptions.maxBatchSize}. */
export const DEFAULT_MAX_BATCH_SIZE = 10_000;

/**
 * Default {@linkcode DispatchOptions.maxReplyBytes}: 64 MiB of reply text per request or batch.
 * Far below V8's longest string (2^29 − 24 characters), and small enough that building, joining
 * and encoding a reply of that size stays a few hundred MB; larger data (a whole checkpoint) is
 * fetched in pieces (`getcheckpoint` by chunk).
 */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024 * 1024;

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Bytes of `text` in UTF-8, for well-formed text such as JSON.stringify writes (lone
 * surrogates are escaped there). Linear; ASCII text, almost every reply, takes one scan.
 */
export function utf8ByteLength(text: string): number {
  let bytes = text.length;
  if (!NON_ASCII.test(text)) return bytes;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    // 2 bytes below U+0800; a surrogate pair is 4 bytes for two units; the rest 3.
    bytes += c < 0x800 || (c >= 0xd800 && c < 0xe000) ? 1 : 2;
  }
  return bytes;
}

/** A JSON-RPC error object as sent to clients. */
export interface RpcErrorObject {
  /** Core's numeric code. */
  code: number;
  /** Human-readable message. */
  message: string;
}

type Params = unknown[] | Record<string, unknown>;

/** The parts of a request known even when parsing it failed half-way (Core's `jreq`). */
interface RequestHeader {
  v2: boolean;
  hasId: boolean;
  id: unknown;
}

interface ParsedRequest extends RequestHeader {
  method: string;
  params: Params;
}

const LEGACY_NO_ID: RequestHeader = { v2: false, hasId: false, id: null };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value; // "object", "string", "number" for values from JSON
}

/** The HTTP status Core gives a legacy (non-2.0) error reply with this code. */
export function httpStatusForRpcCode(code: number): number {
  if (code === RpcCode.INVALID_REQUEST) return 400;
  if (code === RpcCode.METHOD_NOT_FOUND) return 404;
  return 500;
}

function isNotification(header: RequestHeader): boolean {
  return header.v2 && !header.hasId;
}

/** Reads one request object as Core's `JSONRPCRequest::parse`; fills `header` as it goes. */
function parseRequest(value: unknown, header: RequestHeader): ParsedRequest {
  if (!isObject(value)) throw new RpcError(RpcCode.INVALID_REQUEST, "Invalid Request object");
  if (Object.hasOwn(value, "id")) {
    header.hasId = true;
    header.id = value.id;
  }
  const version = Object.hasOwn(value, "jsonrpc") ? value.jsonrpc : null;
  if (version !== null) {
    if (typeof version !== "string") {
      throw new RpcError(RpcCode.INVALID_REQUEST, "jsonrpc field must be a string");
    }
    if (version === "2.0") header.v2 = true;
    else if (version !== "1.0") {
      throw new RpcError(RpcCode.INVALID_REQUEST, "JSON-RPC version not supported");
    }
  }
  const method = Object.hasOwn(value, "method") ? value.method : null;
  if (method === null) throw new RpcError(RpcCode.INVALID_REQUEST, "Missing method");
  if (typeof method !== "string") {
    throw new RpcError(RpcCode.INVALID_REQUEST, "Method must be a string");
  }
  const params = Object.hasOwn(value, "params") ? value.params : null;
  if (params !== null && typeof params !== "object") {
    throw new RpcError(RpcCode.INVALID_REQUEST, "Params must be an array or object");
  }
  return { ...header, method, params: (params ?? []) as Params };
}

/**
 * Turns named parameters into positional ones exactly as Core's `transformNamedArguments`:
 * holes between given names become null (none at the end), `args` supplies leading positional
 * values, and an unknown name is −8.
 */
export function toPositionalParams(method: RpcMethod, params: Params): unknown[] {
  if (Array.isArray(params)) return params;
  const named = new Map(Object.entries(params));
  const out: unknown[] = [];
  let hole = 0;
  let initialHole = 0;
  let initialParam: string | undefined;
  for (const param of method.params) {
    if (named.has(param.name)) {
      for (; hole > 0; hole--) out.push(null);
      initialParam ??= param.name;
      out.push(named.get(param.name));
      named.delete(param.name);
    } else {
      hole++;
      if (out.length === 0) initialHole = hole;
    }
  }
  if (named.has("args")) {
    const positional = named.get("args");
    named.delete("args");
    if (Array.isArray(positional)) {
      if (initialParam !== undefined && initialHole < positional.length) {
        throw new RpcError(
          RpcCode.INVALID_PARAMETER,
          `Parameter ${initialParam} specified twice both as positional and named argument`,
        );
      }
      const fromNames = out.splice(0);
      out.push(...positional, ...fromNames.slice(positional.length));
    }
  }
  const [unknown] = named.keys();
  if (unknown !== undefined) {
    throw new RpcError(RpcCode.INVALID_PARAMETER, `Unknown named parameter ${unknown}`);
  }
  return out;
}

function matchesType(param: RpcParam, value: unknown): boolean {
  switch (param.type) {
    case "string":
    case "hex":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return isObject(value);
    case "array":
      return Array.isArray(value);
    case "amount":
    case "any":
      return true;
  }
}

/**
 * Checks count and JSON types as Core's `RPCHelpMan::HandleRequest` and returns one value per
 * declared parameter (optional ones absent or null → undefined).
 */
export function checkParams(method: RpcMethod, positional: readonly unknown[]): unknown[] {
  let required = 0;
  method.params.forEach((p, i) => {
    if (p.required) required = i + 1;
  });
  if (positional.length < required || positional.length > method.params.length) {
    throw new RpcError(RpcCode.MISC_ERROR, formatMethodHelp(method));
  }
  const mismatches: Record<string, string> = {};
  let mismatch = false;
  const values = method.params.map((param, i) => {
    const value = positional[i] ?? null;
    if (!param.required && value === null) return undefined;
    if (!matchesType(param, value)) {
      const expected = param.type === "hex"
        ? "string"
        : param.type === "boolean"
        ? "bool"
        : param.type;
      mismatches[`Position ${i + 1} (${param.name})`] = `JSON value of type ${
        jsonTypeName(value)
      } is not of expected type ${expected}`;
      mismatch = true;
    }
    return value;
  });
  if (mismatch) {
    throw new RpcError(
      RpcCode.TYPE_ERROR,
      `Wrong type passed:\n${JSON.stringify(mismatches, null, 4)}`,
    );
  }
  return values;
}

/**
 * Runs one call in-process: warm-up check, lookup, named → positional, count and type checks,
 * then the handler. Resolves to the result; rejects only with RpcError.
 */
export async function executeRpc(
  registry: RpcRegistry,
  methodName: string,
  params: Params,
  context: RpcContext,
  options: DispatchOptions = {},
): Promise<unknown> {
  options.onCall?.(methodName);
  const warmup = registry.warmupStatus;
  if (warmup !== null) throw new RpcError(RpcCode.IN_WARMUP, warmup);
  const method = registry.get(methodName);
  if (!method) throw new RpcError(RpcCode.METHOD_NOT_FOUND, "Method not found");
  const values = checkParams(method, toPositionalParams(method, params));
  try {
    return await method.handler(values, context);
  } catch (error) {
    if (error instanceof RpcError) throw error;
    options.onInternalError?.(error, methodName);
    throw new RpcError(RpcCode.INTERNAL_ERROR, "Internal error");
  }
}

function errorObject(error: RpcError): RpcErrorObject {
  return { code: error.rpcCode, message: error.message };
}

/** Serializes a reply in Core's key order; `resultText` is already JSON text. */
function replyText(header: RequestHeader, resultText: string | null, error: RpcErrorObject | null) {
  const parts: string[] = [];
  if (header.v2) parts.push('"jsonrpc":"2.0"');
  if (error === null) {
    parts.push(`"result":${resultText ?? "null"}`);
    if (!header.v2) parts.push('"error":null');
  } else {
    if (!header.v2) parts.push('"result":null');
    parts.push(`"error":${JSON.stringify(error)}`);
  }
  if (header.hasId) parts.push(`"id":${JSON.stringify(header.id) ?? "null"}`);
  return `{${parts.join(",")}}`;
}

/**
 * Executes a parsed request with `bytesLeft` of the reply limit left (told to the handler as
 * `context.maxReplyBytes`); returns its reply text, or throws RpcError (−32001 when the reply
 * is longer than `bytesLeft`; the call has then run, but its result is dropped).
 */
async function executeToText(
  registry: RpcRegistry,
  request: ParsedRequest,
  context: RpcContext,
  options: DispatchOptions,
  bytesLeft: number,
): Promise<string> {
  const result = await executeRpc(
    registry,
    request.method,
    request.params,
    { ...context, maxReplyBytes: bytesLeft },
    options,
  );
  let text: string | undefined;
  try {
    text = stringifyJson(result);
  } catch (error) {
    options.onInternalError?.(error, request.method);
    throw new RpcError(RpcCode.INTERNAL_ERROR, "Internal error");
  }
  const reply = replyText(request, text ?? "null", null);
  const size = utf8ByteLength(reply);
  if (size > bytesLeft) throw replyTooLarge(size, bytesLeft, options);
  return reply;
}

function replyLimit(options: DispatchOptions): number {
  return options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
}

function replyTooLarge(size: number, bytesLeft: number, options: DispatchOptions): RpcError {
  const limit = replyLimit(options);
  return new RpcError(
    RpcCode.REPLY_TOO_LARGE,
    bytesLeft === limit
      ? `Reply of ${size} bytes is over the limit of ${limit} bytes per request`
      : `Reply of ${size} bytes would take the batch reply past its limit of ${limit} bytes`,
  );
}

async function executeCaught(
  registry: RpcRegistry,
  request: ParsedRequest,
  context: RpcContext,
  options: DispatchOptions,
  bytesLeft: number,
): Promise<string> {
  try {
    return await executeToText(registry, request, context, options, bytesLeft);
  } catch (error) {
    return replyText(request, null, errorObject(asRpcError(error, request.method, options)));
  }
}

function asRpcError(error: unknown, method: string, options: DispatchOptions): RpcError {
  if (error instanceof RpcError) return error;
  options.onInternalError?.(error, method);
  return new RpcError(RpcCode.INTERNAL_ERROR, "Internal error");
}

function errorReply(header: RequestHeader, error: RpcError): JsonRpcReply {
  return {
    status: httpStatusForRpcCode(error.rpcCode),
    body: replyText(header, null, errorObject(error)) + "\n",
  };
}

async function handleBatch(
  registry: RpcRegistry,
  items: unknown[],
  context: RpcContext,
  options: DispatchOptions,
): Promise<JsonRpcReply> {
  const limit = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (items.length === 0) {
    return errorReply(LEGACY_NO_ID, new RpcError(RpcCode.INVALID_REQUEST, "Empty batch"));
  }
  if (items.length > limit) {
    return errorReply(
      LEGACY_NO_ID,
      new RpcError(
        RpcCode.INVALID_REQUEST,
        `Batch of ${items.length} requests is over the limit of ${limit}`,
      ),
    );
  }
  // Result bytes are counted as the batch runs, so the replies held never pass the limit;
  // once a result does not fit, the rest are only answered with a short error, not run.
  const replyBytes = replyLimit(options);
  let used = 2; // the brackets
  let full = false;
  const replies: string[] = [];
  for (const item of items) {
    const header: RequestHeader = { ...LEGACY_NO_ID };
    let reply: string;
    try {
      const request = parseRequest(item, header);
      if (full) {
        throw new RpcError(
          RpcCode.REPLY_TOO_LARGE,
          `Not run: the batch reply reached its limit of ${replyBytes} bytes`,
        );
      }
      const bytesLeft = Math.max(0, replyBytes - used - 1); // less the comma before it
      try {
        reply = await executeToText(registry, request, context, options, bytesLeft);
        used += utf8ByteLength(reply) + 1;
      } catch (error) {
        const rpcError = asRpcError(error, request.method, options);
        if (rpcError.rpcCode === RpcCode.REPLY_TOO_LARGE) full = true;
        reply = replyText(header, null, errorObject(rpcError));
      }
    } catch (error) {
      reply = replyText(header, null, errorObject(asRpcError(error, "", options)));
    }
    if (!isNotification(header)) replies.push(reply);
  }
  if (replies.length === 0) return { status: 204, body: null };
  return { status: 200, body: `[${replies.join(",")}]\n` };
}

/**
 * Answers one HTTP request body (already authenticated) with Core's semantics; never throws.
 *
 * @example
 * ```ts
 * import { handleJsonRpc, RpcRegistry } from "./json_rpc.ts";
 * const registry = new RpcRegistry();
 * registry.register({ name: "ping", params: [], help: "Replies null.", handler: () => null });
 * const reply = await handleJsonRpc(
 *   registry,
 *   '{"jsonrpc":"2.0","method":"ping","id":1}',
 *   { authUser: "__cookie__", walletName: undefined },
 * );
 * console.log(reply.status, reply.body); // 200 {"jsonrpc":"2.0","result":null,"id":1}
 * ```
 */
export async function handleJsonRpc(
  registry: RpcRegistry,
  body: string,
  context: RpcContext,
  options: DispatchOptions = {},
): Promise<JsonRpcReply> {
  let value: unknown;
  try {
    value = parseJsonBounded(body);
  } catch {
    return errorReply(LEGACY_NO_ID, new RpcError(RpcCode.PARSE_ERROR, "Parse error"));
  }
  try {
    if (Array.isArray(value)) return await handleBatch(registry, value, context, options);
    if (!isObject(value)) {
      return errorReply(
        LEGACY_NO_ID,
        new RpcError(RpcCode.PARSE_ERROR, "Top-level object parse error"),
      );
    }
    const header: RequestHeader = { ...LEGACY_NO_ID };
    let request: ParsedRequest;
    try {
      request = parseRequest(value, header);
    } catch (error) {
      return errorReply(header, asRpcError(error, "", options));
    }
    if (request.v2) {
      const text = await executeCaught(registry, request, context, options, replyLimit(options));
      return isNotification(request)
        ? { status: 204, body: null }
        : { status: 200, body: text + "\n" };
    }
    try {
      return {
        status: 200,
        body: (await executeToText(registry, request, context, options, replyLimit(options))) +
          "\n",
      };
    } catch (error) {
      return errorReply(request, asRpcError(error, request.method, options));
    }
  } catch (error) {
    return errorReply(LEGACY_NO_ID, asRpcError(error, "", options));
  }
}
