/**
 * Encrypted transport cost: 1 MiB frames over loopback TCP against noble's raw ChaCha20-Poly1305
 * (sealing and opening the same bytes: the crypto work one frame needs) and against plain TCP;
 * and handshakes per second.
 *
 * Run: deno bench --allow-net=127.0.0.1 bench/transport_bench.ts
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { acceptSecure, connectSecure } from "../net/transport/deno_conn.ts";
import { createMemoryPipe } from "../net/transport/memory_pipe.ts";
import { createNodeIdentity } from "../net/transport/node_identity.ts";
import { SecureTransport } from "../net/transport/secure_transport.ts";

const MIB = 1024 * 1024;
const PAYLOAD = new Uint8Array(MIB).map((_, i) => (i * 131) & 0xff);
const MAGIC = new Uint8Array([0x72, 0x6e, 0x74, 0x7f]);
const server = new SecureTransport({ networkMagic: MAGIC, identity: createNodeIdentity() });
const client = new SecureTransport({ networkMagic: MAGIC, identity: createNodeIdentity() });
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = listener.addr.port;

// One encrypted pair and one plain pair, kept open for the whole run.
const [secureOut, secureIn] = await Promise.all([
  connectSecure(client, { hostname: "127.0.0.1", port }),
  listener.accept().then((conn) => acceptSecure(server, conn)),
]);
const [plainOut, plainIn] = await Promise.all([
  Deno.connect({ hostname: "127.0.0.1", port }),
  listener.accept(),
]);
plainOut.setNoDelay(true);
plainIn.setNoDelay(true);

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

async function readFull(conn: Deno.Conn, target: Uint8Array): Promise<void> {
  for (let at = 0; at < target.length;) {
    const n = await conn.read(target.subarray(at));
    if (n === null) throw new Error("Unexpected end of stream");
    at += n;
  }
}

const key = new Uint8Array(32).fill(7);
const nonce = new Uint8Array(12);
const plainTarget = new Uint8Array(MIB);

Deno.bench({
  name: "raw noble ChaCha20-Poly1305 seal + open, 1 MiB",
  group: "1 MiB frame",
  baseline: true,
  fn: () => {
    const sealed = chacha20poly1305(key, nonce).encrypt(PAYLOAD);
    chacha20poly1305(key, nonce).decrypt(sealed);
  },
});

Deno.bench({
  name: "SecureConnection send + receive over loopback TCP, 1 MiB",
  group: "1 MiB frame",
  fn: async () => {
    await Promise.all([secureOut.send(PAYLOAD), secureIn.receive()]);
  },
});

Deno.bench({
  name: "plain TCP write + read over loopback, 1 MiB",
  group: "1 MiB frame",
  fn: async () => {
    await Promise.all([writeAll(plainOut, PAYLOAD), readFull(plainIn, plainTarget)]);
  },
});

Deno.bench({
  name: "handshake over an in-memory pipe (both sides)",
  group: "handshake",
  baseline: true,
  fn: async () => {
    const [a, b] = createMemoryPipe();
    const [x, y] = await Promise.all([client.initiate(a), server.accept(b)]);
    x.close();
    y.close();
  },
});

Deno.bench({
  name: "connect + handshake over loopback TCP (both sides)",
  group: "handshake",
  fn: async () => {
    const [x, y] = await Promise.all([
      connectSecure(client, { hostname: "127.0.0.1", port }),
      listener.accept().then((conn) => acceptSecure(server, conn)),
    ]);
    x.close();
    y.close();
  },
});

globalThis.addEventListener("unload", () => {
  secureOut.close();
  secureIn.close();
  plainOut.close();
  plainIn.close();
  listener.close();
});
