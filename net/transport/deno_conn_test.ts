import assert from "node:assert/strict";
import { hexToBytes } from "@noble/hashes/utils.js";
import { ProtocolError } from "../../core/errors.ts";
import { ConnectionClosedError } from "./connection_closed_error.ts";
import { acceptSecure, connectSecure } from "./deno_conn.ts";
import { createNodeIdentity } from "./node_identity.ts";
import { SecureTransport } from "./secure_transport.ts";

const MAGIC = hexToBytes("726e7403");
const SERVER = createNodeIdentity();
const CLIENT = createNodeIdentity();

Deno.test({
  name: "connectSecure() and acceptSecure() exchange frames over real TCP on 127.0.0.1",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = new SecureTransport({ networkMagic: MAGIC, identity: SERVER });
    const client = new SecureTransport({ networkMagic: MAGIC, identity: CLIENT });
    const serving = (async () => {
      const conn = await acceptSecure(server, await listener.accept());
      assert.deepEqual(conn.peerId, CLIENT.publicKey);
      for (let i = 0; i < 3; i++) await conn.send(await conn.receive()); // echo
      await assert.rejects(conn.receive(), ConnectionClosedError); // client hangs up cleanly
      conn.close();
    })();
    const conn = await connectSecure(client, {
      hostname: "127.0.0.1",
      port: listener.addr.port,
      expectedPeerId: SERVER.publicKey,
    });
    const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
    for (const message of [new Uint8Array([1, 2, 3]), big, new Uint8Array(0)]) {
      await conn.send(message);
      assert.deepEqual(await conn.receive(), message);
    }
    conn.close();
    await serving;
    listener.close();
  },
});

Deno.test({
  name: "connectSecure() fails with ProtocolError against a node on another network",
  sanitizeOps: true,
  sanitizeResources: true,
  fn: async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const server = new SecureTransport({ networkMagic: hexToBytes("726e7404"), identity: SERVER });
    const client = new SecureTransport({ networkMagic: MAGIC, identity: CLIENT });
    const serving = listener.accept().then((conn) => acceptSecure(server, conn));
    await assert.rejects(
      connectSecure(client, { hostname: "127.0.0.1", port: listener.addr.port }),
      ProtocolError,
    );
    await assert.rejects(serving, ProtocolError);
    listener.close();
  },
});
