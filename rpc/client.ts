/**
 * The JSON-RPC client `rnt cli` uses: POSTs JSON-RPC 2.0 requests over fetch with HTTP Basic
 * credentials (from the datadir's cookie, like bitcoin-cli, unless a password is given), and
 * turns an error reply into `RpcError` (core/errors.ts) carrying Core's numeric code. Failures
 * below JSON-RPC (no connection, 401, other HTTP errors, garbage) are `RpcTransportError`.
 *
 * @module
 */
import { RpcError } from "../core/errors.ts";
import { cookiePath, readAuthCookie } from "./auth.ts";
import { DEFAULT_RPC_HOST } from "./defaults.ts";
import { parseJsonExact, stringifyJson } from "./json_text.ts";

/** Why a call failed below the JSON-RPC layer. */
export type RpcTransportErrorKind =
  | "connect"
  | "timeout"
  | "unauthorized"
  | "http"
  | "bad-response";

/** A call that got no JSON-RPC reply: no connection, timeout, 401, HTTP error or garbage. */
export class RpcTransportError extends Error {
  /** Stable machine-readable code. */
  readonly code = "rpc-transport-error";
  /** What went wrong. */
  readonly kind: RpcTransportErrorKind;
  /** The HTTP status, when there was a response. */
  readonly status: number | undefined;
  constructor(kind: RpcTransportErrorKind, message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RpcTransportError";
    this.kind = kind;
    this.status = status;
  }
}

/** Options of {@linkcode RpcClient}. */
export interface RpcClientOptions {
  /** The endpoint, e.g. `http://127.0.0.1:29554/` (or `/wallet/<name>`). */
  url: string;
  /** `user:password` for HTTP Basic; omitted → no Authorization header. */
  userPass?: string;
  /** Give up after this many ms (default 900 000, bitcoin-cli's `-rpcclienttimeout`). */
  timeoutMs?: number;
}

/** Options of {@linkcode RpcClient.call}. */
export interface RpcCallOptions {
  /**
   * Keep numbers whose text a float would change (`0.00100000`) as raw JSON literals, so that
   * printing the result with JSON.stringify gives the node's exact digits.
   */
  exactNumbers?: boolean;
}

/** Formats `host:port` for a URL, bracketing a bare IPv6 address. */
export function formatHostPort(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${h}:${port}`;
}

function basicAuthHeader(userPass: string): string {
  const bytes = new TextEncoder().encode(userPass);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/**
 * A JSON-RPC client.
 *
 * @example Not run as a doc test: it needs a running node and its cookie.
 * ```ts ignore
 * import { RpcClient } from "./client.ts";
 * const client = await RpcClient.fromDatadir({ datadir: "/home/ann/.rnt/regtest", port: 29554 });
 * console.log(await client.call("getblockcount"));
 * ```
 */
export class RpcClient {
  /** The endpoint URL. */
  readonly url: string;
  /** Whether credentials are set (false when no cookie was found and no password given). */
  readonly hasCredentials: boolean;
  #authorization: string | undefined;
  #timeoutMs: number;
  #nextId = 1;

  constructor(options: RpcClientOptions) {
    this.url = options.url;
    this.#authorization = options.userPass === undefined
      ? undefined
      : basicAuthHeader(options.userPass);
    this.hasCredentials = options.userPass !== undefined;
    this.#timeoutMs = options.timeoutMs ?? 900_000;
  }

  /**
   * A client for the node whose data directory is `datadir`: credentials are `user:password`
   * when a password is given, else the cookie file's (none if it is missing — the call then
   * fails with "unauthorized" or, more likely, "connect" because the node is not running).
   */
  static async fromDatadir(options: {
    datadir: string;
    port: number;
    host?: string;
    user?: string;
    password?: string;
    wallet?: string;
    timeoutMs?: number;
  }): Promise<RpcClient> {
    let userPass: string | undefined;
    if (options.password !== undefined && options.password !== "") {
      userPass = `${options.user ?? ""}:${options.password}`;
    } else {
      userPass = await readAuthCookie(cookiePath(options.datadir)).catch(() => undefined);
    }
    const path = options.wallet === undefined
      ? "/"
      : `/wallet/${encodeURIComponent(options.wallet)}`;
    const url = `http://${formatHostPort(options.host ?? DEFAULT_RPC_HOST, options.port)}${path}`;
    return new RpcClient({
      url,
      ...(userPass === undefined ? {} : { userPass }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /**
   * Calls `method` and resolves to its result. Rejects with RpcError for a JSON-RPC error
   * reply, RpcTransportError otherwise.
   */
  async call(
    method: string,
    params: unknown[] | Record<string, unknown> = [],
    options: RpcCallOptions = {},
  ): Promise<unknown> {
    const id = this.#nextId++;
    const body = stringifyJson({ jsonrpc: "2.0", method, params, id });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let status: number;
    let text: string;
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (this.#authorization !== undefined) headers.authorization = this.#authorization;
      let response: Response;
      try {
        response = await fetch(this.url, {
          method: "POST",
          headers,
          body,
          signal: controller.signal,
        });
      } catch (error) {
        if (controller.signal.aborted) {
          throw new RpcTransportError("timeout", `no reply within ${this.#timeoutMs} ms`);
        }
        throw new RpcTransportError(
          "connect",
          `could not connect to ${this.url}`,
          undefined,
          error,
        );
      }
      status = response.status;
      text = await response.text();
    } finally {
      clearTimeout(timer);
    }
    if (status === 401) {
      throw new RpcTransportError("unauthorized", "authorization failed", status);
    }
    let reply: unknown;
    try {
      reply = options.exactNumbers ? parseJsonExact(text) : JSON.parse(text);
    } catch {
      if (status >= 400) {
        throw new RpcTransportError("http", `server returned HTTP error ${status}`, status);
      }
      throw new RpcTransportError("bad-response", "the reply is not JSON", status);
    }
    return readReply(reply, status);
  }
}

function readReply(reply: unknown, status: number): unknown {
  if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
    throw new RpcTransportError("bad-response", "the reply is not a JSON-RPC object", status);
  }
  const { error, result } = reply as { error?: unknown; result?: unknown };
  if (error !== undefined && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code !== "number") {
      throw new RpcTransportError("bad-response", "the error reply has no numeric code", status);
    }
    throw new RpcError(code, typeof message === "string" ? message : JSON.stringify(error));
  }
  if (!Object.hasOwn(reply, "result")) {
    throw new RpcTransportError("bad-response", "the reply has neither result nor error", status);
  }
  return result;
}
