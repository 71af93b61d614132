import assert from "node:assert/strict";
import { hexToBytes } from "@noble/hashes/utils.js";
import { acceptSecure } from "../transport/deno_conn.ts";
import { createNodeIdentity } from "../transport/node_identity.ts";
import { SecureTransport } from "../transport/secure_transport.ts";
import { onionFromPublicKey } from "../wire/onion.ts";
import { readExact } from "./_read_exact.ts";
import { TestSocks5Server } from "./_test_server.ts";
import { connectSecureViaProxy } from "./connect_secure_via.ts";
import { socks5Connect } from "./socks5_connect.ts";
import { Socks5Error } from "./socks5_error.ts";

Deno.test.sanitizer({ ops: true, resources: true });

/** A loopback echo server that closes everything on `close()`. */
function startEcho(): { port: number; close: () => Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const task = (async () => {
          const buf = new Uint8Array(4096);
          try {
            for (;;) {
              const n = await conn.read(buf);
              if (n === null) break;
              let w = 0;
              while (w < n) w += await conn.write(buf.subarray(w, n));
            }
          } catch {
            // Closed.
          } finally {
            conns.delete(conn);
            try {
              conn.close();
            } catch {
              // Already closed.
            }
          }
        })();
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch {
      // Listener closed.
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // Already closed.
        }
      }
      await accepting;
      await Promise.all([...tasks]);
    },
  };
}

async function echoThrough(conn: Deno.Conn, text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  let w = 0;
  while (w < bytes.length) w += await conn.write(bytes.subarray(w));
  return new TextDecoder().decode(await readExact(conn, bytes.length, "echo"));
}

Deno.test("socks5Connect() tunnels to a loopback echo server without authentication", async () => {
  const echo = startEcho();
  const proxy = new TestSocks5Server();
  try {
    const conn = await socks5Connect({
      proxy: { hostname: "127.0.0.1", port: proxy.port },
      hostname: "127.0.0.1",
      port: echo.port,
    });
    assert.equal(await echoThrough(conn, "hello through socks"), "hello through socks");
    conn.close();
    assert.deepEqual(proxy.requests, [{ addressType: 1, host: "127.0.0.1", port: echo.port }]);
  } finally {
    await proxy.close();
    await echo.close();
  }
});

Deno.test("socks5Connect() logs in with username and password (RFC 1929)", async () => {
  const echo = startEcho();
  const proxy = new TestSocks5Server({ credentials: { username: "alice", password: "s3cret" } });
  try {
    const conn = await socks5Connect({
      proxy: { hostname: "127.0.0.1", port: proxy.port, username: "alice", password: "s3cret" },
      hostname: "::ffff:127.0.0.1", // IPv4-mapped: sent as IPv4
      port: echo.port,
    });
    assert.equal(await echoThrough(conn, "x".repeat(10_000)), "x".repeat(10_000));
    conn.close();
  } finally {
    await proxy.close();
    await echo.close();
  }
});

Deno.test("socks5Connect() rejects a wrong password and a missing login with Socks5Error", async () => {
  const proxy = new TestSocks5Server({ credentials: { username: "alice", password: "s3cret" } });
  try {
    const base = { hostname: "127.0.0.1", port: 9 };
    await assert.rejects(
      socks5Connect({
        ...base,
        proxy: { hostname: "127.0.0.1", port: proxy.port, username: "alice", password: "nope" },
      }),
      (e: unknown) => e instanceof Socks5Error && /rejected the username/.test(e.message),
    );
    await assert.rejects(
      socks5Connect({ ...base, proxy: { hostname: "127.0.0.1", port: proxy.port } }),
      (e: unknown) => e instanceof Socks5Error && /requires authentication/.test(e.message),
    );
    assert.deepEqual(proxy.requests, []); // never got as far as CONNECT
  } finally {
    await proxy.close();
  }
});

Deno.test("socks5Connect() sends .onion names as domains for the proxy to resolve", async () => {
  const echo = startEcho();
  const onion = onionFromPublicKey(new Uint8Array(32).fill(0x42));
  const proxy = new TestSocks5Server({
    resolve: (host, port) => ({ hostname: host === onion ? "127.0.0.1" : host, port }),
  });
  try {
    const conn = await socks5Connect({
      proxy: { hostname: "127.0.0.1", port: proxy.port },
      hostname: onion,
      port: echo.port,
    });
    assert.equal(await echoThrough(conn, "onion"), "onion");
    conn.close();
    assert.deepEqual(proxy.requests, [{ addressType: 3, host: onion, port: echo.port }]);
  } finally {
    await proxy.close();
    await echo.close();
  }
});

Deno.test("socks5Connect() reports the proxy's failure reply code", async () => {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const proxy = new TestSocks5Server();
  try {
    await assert.rejects(
      socks5Connect({
        proxy: { hostname: "127.0.0.1", port: proxy.port },
        hostname: "127.0.0.1",
        port: deadPort,
      }),
      (e: unknown) => e instanceof Socks5Error && e.replyCode === 0x05,
    );
  } finally {
    await proxy.close();
  }
});

Deno.test("socks5Connect() refuses bad targets and credentials before connecting", async () => {
  const proxy = { hostname: "127.0.0.1", port: 1 };
  await assert.rejects(socks5Connect({ proxy, hostname: "a".repeat(256), port: 80 }), RangeError);
  await assert.rejects(socks5Connect({ proxy, hostname: "x", port: 0 }), RangeError);
  await assert.rejects(
    socks5Connect({ proxy: { ...proxy, username: "", password: "p" }, hostname: "x", port: 1 }),
    RangeError,
  );
});

Deno.test("connectSecureViaProxy() completes the encrypted handshake through the proxy", async () => {
  const magic = hexToBytes("726e7403");
  const serverId = createNodeIdentity();
  const server = new SecureTransport({ networkMagic: magic, identity: serverId });
  const client = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const onion = onionFromPublicKey(serverId.publicKey);
  const proxy = new TestSocks5Server({
    credentials: { username: "u", password: "p" },
    resolve: (host, port) => ({ hostname: host === onion ? "127.0.0.1" : host, port }),
  });
  try {
    const serving = (async () => {
      const conn = await acceptSecure(server, await listener.accept());
      assert.deepEqual(conn.peerId, client.nodeId);
      await conn.send(await conn.receive()); // echo one frame
      return conn;
    })();
    const conn = await connectSecureViaProxy(client, {
      proxy: { hostname: "127.0.0.1", port: proxy.port, username: "u", password: "p" },
      hostname: onion,
      port: (listener.addr as Deno.NetAddr).port,
      expectedPeerId: serverId.publicKey,
      signal: AbortSignal.timeout(10_000),
    }).catch((e) => {
      listener.close();
      serving.catch(() => {});
      throw e;
    });
    const payload = new Uint8Array(100_000).map((_, i) => i & 0xff);
    await conn.send(payload);
    assert.deepEqual(await conn.receive(), payload);
    const inbound = await serving;
    conn.close();
    inbound.close();
    assert.deepEqual(proxy.requests.map((r) => r.host), [onion]);
  } finally {
    try {
      listener.close();
    } catch {
      // Closed above.
    }
    await proxy.close();
  }
});

Deno.test("socks5Connect() closes the connection and rejects when its signal aborts", async () => {
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // accepts, never answers
  const accepted = silent.accept();
  try {
    const controller = new AbortController();
    const attempt = socks5Connect({
      proxy: { hostname: "127.0.0.1", port: (silent.addr as Deno.NetAddr).port },
      hostname: "127.0.0.1",
      port: 9,
      signal: controller.signal,
    });
    const peer = await accepted;
    assert.deepEqual(await readExact(peer, 3, "greeting"), new Uint8Array([5, 1, 0]));
    controller.abort(new Error("gave up")); // mid-handshake: the proxy never answers
    await assert.rejects(attempt, /gave up/);
    assert.equal(await peer.read(new Uint8Array(16)), null); // the client hung up
    peer.close();
  } finally {
    silent.close();
  }
});
