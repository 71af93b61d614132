/**
 * The ln_* RPC methods in-process on two real nodes (scripted chainstates on LevelDB, real peer
 * managers on loopback, the real Lightning service and channel files): the error of each refusal
 * with its Core code, an opening that reaches the peer over P2P and fails on the funder's missing
 * wallet (the wallet's own −18), node-held invoices, and garbage `ln_*` bytes that change nothing.
 */
import assert from "node:assert/strict";
import { toHex } from "../../core/crypto/keccak.ts";
import { decodeInvoice } from "../../core/lightning/invoice.ts";
import { PeerManager } from "../../net/connman/mod.ts";
import { createNodeIdentity } from "../../net/transport/mod.ts";
import { ChannelFiles } from "../../node/lightning/channel_files.ts";
import { LightningService } from "../../node/lightning/lightning_service.ts";
import { LnInvoices } from "../../node/lightning/ln_invoices.ts";
import { LnPeerBook } from "../../node/lightning/ln_peer_book.ts";
import { type ScriptedNode, startScriptedNode } from "./_test_node.ts";
import { attachLightning } from "./lightning.ts";
import { encodeOpenMessage } from "../../core/lightning/channel_open_messages.ts";
import {
  freshChannelSecrets,
  limitsFor,
  partyParamsOf,
} from "../../node/lightning/channel_setup.ts";
import { lightningWallet } from "./wallet.ts";

interface LnTestNode {
  readonly scripted: ScriptedNode;
  readonly manager: PeerManager;
  readonly service: LightningService;
  readonly id: string;
  close(): Promise<void>;
}

async function startLnNode(): Promise<LnTestNode> {
  const scripted = await startScriptedNode();
  const identity = createNodeIdentity();
  const manager = new PeerManager({
    node: scripted.node,
    identity,
    listen: { hostname: "127.0.0.1", port: 0 },
    noAutoConnect: true,
  });
  await manager.start();
  const dir = `${scripted.dir}/lightning`;
  const service = await LightningService.start({
    node: scripted.node,
    transport: manager,
    wallet: lightningWallet(scripted.node),
    store: new ChannelFiles(`${dir}/channels`),
    peerBook: await LnPeerBook.load(`${dir}/peers.json`),
    invoices: await LnInvoices.load(`${dir}/invoices.json`),
    nodeSeed: identity.secretKey,
  });
  attachLightning(scripted.node, service);
  return {
    scripted,
    manager,
    service,
    id: toHex(identity.publicKey),
    async close() {
      await service.stop();
      await manager.stop();
      await scripted.close();
    },
  };
}

Deno.test("ln_* methods: Core error codes for each refusal, an opening over P2P that the funder's missing wallet stops, node-held invoices", async () => {
  const bare = await startScriptedNode();
  const a = await startLnNode();
  const b = await startLnNode();
  try {
    assert.deepEqual((await bare.call("ln_info")).error, {
      code: -1,
      message: "Lightning is not running on this node",
    });
    const info = (await a.scripted.call("ln_info")).result as Record<string, unknown>;
    assert.equal(info.node_id, a.id);
    assert.equal(info.network, "regtest");
    assert.equal(info.listen_port, a.manager.listenPort);
    assert.deepEqual(info.channels, {});

    // Not connected yet: −29.
    assert.equal((await a.scripted.call("ln_open", b.id, "1")).error?.code, -29);
    const where = `127.0.0.1:${b.manager.listenPort}`;
    const wrong = await a.scripted.call("ln_connect", `${"ab".repeat(32)}@${where}`);
    assert.equal(wrong.error?.code, -8);
    assert.match(wrong.error!.message, new RegExp(`has id ${b.id}, not ${"ab".repeat(32)}`));
    assert.equal((await a.scripted.call("ln_connect", "xyz@" + where)).error?.code, -8);
    const connected = await a.scripted.call("ln_connect", `${b.id}@${where}`);
    assert.deepEqual(connected.result, { node_id: b.id });
    assert.ok(
      ((await a.scripted.call("ln_info")).result as { peers: string[] }).peers.includes(b.id),
    );

    // Amounts: below the minimum and a push over half are −8; a bad number −3.
    assert.equal((await a.scripted.call("ln_open", b.id, "0.0001")).error?.code, -8);
    assert.equal((await a.scripted.call("ln_open", b.id, "1", "0.6")).error?.code, -8);
    assert.equal((await a.scripted.call("ln_open", b.id, "x")).error?.code, -3);
    // B accepts over P2P; A's wallet (none loaded) stops the funding with the wallet's −18.
    const open = await a.scripted.call("ln_open", b.id, "1");
    assert.equal(open.error?.code, -18, JSON.stringify(open));
    assert.match(open.error!.message, /No wallet is loaded/);
    assert.deepEqual((await a.scripted.call("ln_channels")).result, []);
    assert.deepEqual((await b.scripted.call("ln_channels")).result, []);

    // Channels that do not exist.
    const missing = await a.scripted.call("ln_close", "00".repeat(32));
    assert.equal(missing.error?.code, -5);
    assert.match(missing.error!.message, /no channel 0{64}/);
    assert.equal((await a.scripted.call("ln_forceclose", "nothex")).error?.code, -8);

    // B's invoice names B as payee; A has no channel with B: −29. Garbage is −8.
    const inv = (await b.scripted.call("ln_invoice", "0.001", "tea")).result as Record<
      string,
      string
    >;
    const decoded = decodeInvoice(inv.invoice!, { network: "regtest" });
    assert.equal(toHex(decoded.payeeKey), b.id);
    assert.equal(toHex(decoded.paymentHash), inv.payment_hash);
    assert.equal(decoded.amountMilliResonances, 100_000_000n);
    const pay = await a.scripted.call("ln_pay", inv.invoice);
    assert.equal(pay.error?.code, -29);
    assert.match(pay.error!.message, /no open, connected channel with the payee/);
    assert.equal((await a.scripted.call("ln_pay", "lnrrnt1garbage")).error?.code, -8);
    assert.equal((await a.scripted.call("ln_invoice", "0")).error?.code, -3);

    // Garbage ln_* bytes from a peer change nothing and break nothing.
    const peerOfB = a.manager.peers().find((p) => p.nodeId === b.id)!;
    peerOfB.send({ type: "ln", id: 0x90, payload: new Uint8Array([1, 2, 3]) });
    peerOfB.send({ type: "ln", id: 0x92, payload: new Uint8Array(132) });
    peerOfB.send({ type: "ln", id: 0x84, payload: new Uint8Array(96) });
    const again = await a.scripted.call("ln_open", b.id, "1");
    assert.equal(again.error?.code, -18, "B still answers openings after the garbage");
    assert.deepEqual((await b.scripted.call("ln_channels")).result, []);

    // A peer flooding open_channel (and ignoring the answers: A's service is stopped) gets at
    // most 8 openings held; the rest are refused.
    await a.service.stop();
    // (A's two failed openings are dropped by B when A's channel_error arrives.)
    for (let i = 0; i < 100 && b.service.pendingIncomingOpens > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(b.service.pendingIncomingOpens, 0);
    for (let i = 0; i < 20; i++) {
      const { secrets } = freshChannelSecrets();
      const { id, payload } = encodeOpenMessage({
        type: "open_channel",
        temporaryChannelId: crypto.getRandomValues(new Uint8Array(32)),
        fundingResonances: 10n ** 8n,
        pushMres: 0n,
        feeratePerByte: 1,
        params: partyParamsOf(secrets, 5),
        limits: limitsFor(10n ** 8n),
        firstPoint: partyParamsOf(secrets, 5).revocationBasepoint,
        secondPoint: partyParamsOf(secrets, 5).htlcBasepoint,
      });
      peerOfB.send({ type: "ln", id, payload });
    }
    const infoOfB = async () =>
      (await b.scripted.call("ln_info")).result as { pending_openings: number };
    const deadline = Date.now() + 5000;
    while ((await infoOfB()).pending_openings < 8 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // Give the refusals time to arrive too: still 8.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await infoOfB()).pending_openings, 8);
  } finally {
    await a.close();
    await b.close();
    await bare.close();
  }
});
