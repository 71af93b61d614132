/**
 * A tiny SOCKS5 server for tests (private): RFC 1928 CONNECT (IPv4, IPv6, domain) with no
 * authentication or RFC 1929 username/password, relaying bytes both ways. It records each
 * request and closes every connection it holds on `close()`, so tests pass the ops and
 * resources sanitizers.
 *
 * @module
 */
import { readExact } from "./_read_exact.ts";

/** What a client asked to connect to. */
export interface Socks5Request {
  /** 1 = IPv4, 3 = domain, 4 = IPv6. */
  readonly addressType: number;
  /** The address as text (dotted IPv4, the domain, or IPv6 hex groups). */
  readonly host: string;
  /** The port. */
  readonly port: number;
}

/** Server behaviour. */
export interface TestSocks5ServerOptions {
  /** Require these credentials (username/password method only). */
  credentials?: { username: string; password: string };
  /** Where to really connect for a requested host; identity by default. */
  resolve?: (host: string, port: number) => { hostname: string; port: number };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let n = 0;
  while (n < bytes.length) n += await conn.write(bytes.subarray(n));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(16 * 1024);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) return;
      await writeAll(to, buf.subarray(0, n));
    }
  } catch {
    // One side went away.
  }
}

/** A running test proxy on 127.0.0.1. */
export class TestSocks5Server {
  /** The port it listens on. */
  readonly port: number;
  /** Every CONNECT request received, in order. */
  readonly requests: Socks5Request[] = [];
  readonly #listener: Deno.Listener;
  readonly #conns = new Set<Deno.Conn>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #options: TestSocks5ServerOptions;
  readonly #accepting: Promise<void>;

  /** Starts listening on an ephemeral port. */
  constructor(options: TestSocks5ServerOptions = {}) {
    this.#options = options;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    this.#accepting = this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        this.#conns.add(conn);
        const task = this.#serve(conn).finally(() => {
          closeQuietly(conn);
          this.#conns.delete(conn);
          this.#tasks.delete(task);
        });
        this.#tasks.add(task);
      }
    } catch {
      // Listener closed.
    }
  }

  async #serve(client: Deno.Conn): Promise<void> {
    try {
      const [ver, n] = await readExact(client, 2, "greeting");
      const methods = await readExact(client, n!, "methods");
      if (ver !== 5) return;
      const creds = this.#options.credentials;
      const want = creds ? 0x02 : 0x00;
      if (!methods.includes(want)) {
        await writeAll(client, new Uint8Array([5, 0xff]));
        return;
      }
      await writeAll(client, new Uint8Array([5, want]));
      if (creds) {
        const [, ulen] = await readExact(client, 2, "auth header");
        const user = new TextDecoder().decode(await readExact(client, ulen!, "username"));
        const [plen] = await readExact(client, 1, "password length");
        const pass = new TextDecoder().decode(await readExact(client, plen!, "password"));
        const ok = user === creds.username && pass === creds.password;
        await writeAll(client, new Uint8Array([1, ok ? 0 : 1]));
        if (!ok) return;
      }
      const [, cmd, , atyp] = await readExact(client, 4, "request");
      let host: string;
      if (atyp === 1) host = (await readExact(client, 4, "ipv4")).join(".");
      else if (atyp === 4) {
        const b = await readExact(client, 16, "ipv6");
        const groups = [];
        for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
        host = groups.join(":");
      } else {
        const [len] = await readExact(client, 1, "name length");
        host = new TextDecoder().decode(await readExact(client, len!, "name"));
      }
      const pb = await readExact(client, 2, "port");
      const port = (pb[0]! << 8) | pb[1]!;
      this.requests.push({ addressType: atyp!, host, port });
      const reply = (rep: number) => new Uint8Array([5, rep, 0, 1, 127, 0, 0, 1, 0, 0]);
      if (cmd !== 1) {
        await writeAll(client, reply(0x07));
        return;
      }
      const target = this.#options.resolve?.(host, port) ?? { hostname: host, port };
      let upstream: Deno.Conn;
      try {
        upstream = await Deno.connect({ ...target, transport: "tcp" });
      } catch {
        await writeAll(client, reply(0x05));
        return;
      }
      this.#conns.add(upstream);
      try {
        await writeAll(client, reply(0x00));
        const closeBoth = () => {
          closeQuietly(client);
          closeQuietly(upstream);
        };
        await Promise.all([
          pump(client, upstream).finally(closeBoth),
          pump(upstream, client).finally(closeBoth),
        ]);
      } finally {
        closeQuietly(upstream);
        this.#conns.delete(upstream);
      }
    } catch {
      // Client went away mid-handshake.
    }
  }

  /** Stops listening, closes every connection and waits for all handlers. */
  async close(): Promise<void> {
    try {
      this.#listener.close();
    } catch {
      // Already closed.
    }
    for (const c of this.#conns) closeQuietly(c);
    await this.#accepting;
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }
}
