/**
 * The JSON-RPC HTTP server: a Hono app answering POST `/` (and `/wallet/<name>`) with the
 * dispatcher of `json_rpc.ts`, behind HTTP Basic auth (`auth.ts`) and a request size limit;
 * and `startRpcServer`, which serves it with `Deno.serve` on 127.0.0.1 (or the `rpcbind`
 * addresses), answering only the clients `rpcallowip` allows (403 for others, before the
 * credentials are looked at).
 *
 * Order of checks, as Core's `HTTPReq_JSONRPC`: method (405 for non-POST), then credentials
 * (401 at once when absent; 250 ms then 401 when wrong, failures served one at a time so a
 * brute-force attempt gets at most four guesses a second), then size (413, counted while
 * streaming, without reading past the limit), then the body.
 *
 * @module
 */
import { Hono } from "hono";
import type { AuthCookie, RpcAuthenticator } from "./auth.ts";
import { RpcCode } from "./error_codes.ts";
import { type DispatchOptions, handleJsonRpc } from "./json_rpc.ts";
import type { RpcRegistry } from "./registry.ts";

/** Default request body limit: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Default wait before answering a failed login, as Core. */
export const FAILED_AUTH_DELAY_MS = 250;

/** The `WWW-Authenticate` value sent with every 401. */
export const WWW_AUTHENTICATE = 'Basic realm="jsonrpc"';

/** Options of {@linkcode createRpcApp}. */
export interface RpcAppOptions extends DispatchOptions {
  /** Largest request body accepted, in bytes (default 16 MiB); larger → 413. */
  maxBodyBytes?: number;
  /** Serve `/wallet/<name>` endpoints (default true). */
  walletEndpoints?: boolean;
  /** Wait after a failed login before the 401, in ms (default 250). */
  failedAuthDelayMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Reads a request body up to `maxBytes`; null when it is (or declares itself) larger. Stops
 * reading and cancels the stream as soon as the count passes the limit.
 */
export async function readBodyLimited(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) return null;
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function walletNameFromPath(pathname: string): string | undefined {
  if (!pathname.startsWith("/wallet/")) return undefined;
  const raw = pathname.slice("/wallet/".length);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const JSON_HEADERS = { "content-type": "application/json" };

function internalErrorResponse(): Response {
  const body = JSON.stringify({
    result: null,
    error: { code: RpcCode.INTERNAL_ERROR, message: "Internal error" },
    id: null,
  });
  return new Response(body + "\n", { status: 500, headers: JSON_HEADERS });
}

/**
 * Builds the RPC Hono app. Test it in-process with `app.request("/", init)`.
 *
 * @example
 * ```ts
 * import { RpcAuthenticator } from "./auth.ts";
 * import { RpcRegistry } from "./registry.ts";
 * import { createRpcApp } from "./server.ts";
 * const app = createRpcApp(new RpcRegistry(), new RpcAuthenticator({ userPass: ["u:p"] }));
 * const res = await app.request("/", {
 *   method: "POST",
 *   headers: { authorization: "Basic " + btoa("u:p") },
 *   body: '{"jsonrpc":"2.0","method":"help","params":["help"],"id":1}',
 * });
 * console.log(res.status); // 200
 * ```
 */
export function createRpcApp(
  registry: RpcRegistry,
  auth: RpcAuthenticator,
  options: RpcAppOptions = {},
): Hono {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const delayMs = options.failedAuthDelayMs ?? FAILED_AUTH_DELAY_MS;
  const walletEndpoints = options.walletEndpoints ?? true;
  let failedAuthQueue: Promise<void> = Promise.resolve();
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

  const app = new Hono();

  app.onError((error) => {
    options.onInternalError?.(error, "");
    return internalErrorResponse();
  });

  const serve = async (request: Request): Promise<Response> => {
    const pathname = new URL(request.url).pathname;
    const walletName = walletNameFromPath(pathname);
    if (pathname !== "/" && (walletName === undefined || !walletEndpoints)) {
      return new Response("Not Found\n", { status: 404 });
    }
    if (request.method !== "POST") {
      return new Response("JSONRPC server handles only POST requests\n", { status: 405 });
    }
    const header = request.headers.get("authorization");
    if (header === null) {
      return new Response(null, { status: 401, headers: { "www-authenticate": WWW_AUTHENTICATE } });
    }
    const user = auth.check(header);
    if (user === null) {
      const turn = failedAuthQueue.then(() => sleep(delayMs));
      failedAuthQueue = turn;
      await turn;
      return new Response(null, { status: 401, headers: { "www-authenticate": WWW_AUTHENTICATE } });
    }
    const bytes = await readBodyLimited(request, maxBodyBytes);
    if (bytes === null) {
      return new Response(`Request body over the limit of ${maxBodyBytes} bytes\n`, {
        status: 413,
      });
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      text = "\u0000"; // invalid UTF-8: answered as a parse error below
    }
    const reply = await handleJsonRpc(registry, text, { authUser: user, walletName }, options);
    if (reply.body === null) return new Response(null, { status: reply.status });
    return new Response(reply.body, { status: reply.status, headers: JSON_HEADERS });
  };

  app.all("*", (c) => serve(c.req.raw));
  return app;
}

/** A running RPC server. */
export interface RpcServerHandle {
  /** The (first) address it listens on. */
  hostname: string;
  /** The port it listens on (the real one when 0 was asked). */
  port: number;
  /** Every address it listens on (`rpcbind` may name several). */
  hostnames: string[];
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  /** Stops accepting, finishes in-flight requests, then deletes the cookie if one was given. */
  shutdown(): Promise<void>;
}

/** Options of {@linkcode startRpcServer}. */
export interface StartRpcServerOptions {
  /** Address to bind (default 127.0.0.1). */
  hostname?: string;
  /** Addresses to bind (`rpcbind`), all on `port`; wins over `hostname`. */
  hostnames?: readonly string[];
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Cookie to delete on shutdown. */
  cookie?: AuthCookie;
  /**
   * Which clients are answered (`rpcallowip`; default all that reach the socket). Others get
   * 403 Forbidden before their credentials are looked at, as in Core.
   */
  allowClient?: (host: string) => boolean;
}

/**
 * Serves `app` with Deno.serve (127.0.0.1 by default). Throws Deno.errors.AddrInUse when the
 * port is taken.
 */
export function startRpcServer(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  options: StartRpcServerOptions,
): RpcServerHandle {
  const hostnames = options.hostnames?.length
    ? [...options.hostnames]
    : [options.hostname ?? "127.0.0.1"];
  const allow = options.allowClient;
  const handler = (request: Request, info: Deno.ServeHandlerInfo) => {
    const remote = info.remoteAddr as Deno.NetAddr;
    if (allow && !allow(remote.hostname)) {
      return new Response("Forbidden\n", { status: 403 });
    }
    return app.fetch(request);
  };
  const servers: Deno.HttpServer[] = [];
  let port = options.port;
  try {
    for (const hostname of hostnames) {
      const server = Deno.serve({
        hostname,
        port,
        onListen: () => {},
        onError: () => internalErrorResponse(),
      }, handler);
      servers.push(server);
      port = (server.addr as Deno.NetAddr).port;
    }
  } catch (e) {
    for (const server of servers) void server.shutdown();
    throw e;
  }
  const first = servers[0]!.addr as Deno.NetAddr;
  let stopping: Promise<void> | undefined;
  return {
    hostname: first.hostname,
    port: first.port,
    hostnames: servers.map((s) => (s.addr as Deno.NetAddr).hostname),
    finished: Promise.all(servers.map((s) => s.finished)).then(() => {}),
    shutdown() {
      stopping ??= (async () => {
        await Promise.all(servers.map((s) => s.shutdown()));
        await options.cookie?.remove();
      })();
      return stopping;
    },
  };
}
