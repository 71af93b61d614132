/**
 * The ln_* RPC methods in-process on two real nodes (scripted chainstates on LevelDB, real peer
 * managers on loopback, the real Lightning service and channel files): the error of each refusal
 * with its Core code, an opening that reaches the peer over P2P and fails on the funder's missing
 * wallet (the wallet's own −18), node-held invoices, garbage `ln_*` bytes that change nothing, and
 * the bounds on what a peer can make the node keep (pending openings, unfunded channels).
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
import {
  decodeOpenMessage,
  encodeOpenMessage,
  isOpenMessageId,
  type OpenMessage,
} from "../../core/lightning/channel_open_messages.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import {
  buildChildBlock,
  heartbeatWallet,
  testCheckpoint,
} from "../../core/consensus/testing/block_builder.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import { initialCommitmentSpecs } from "../../core/lightning/channel_state.ts";
import type { ChannelConfig } from "../../core/lightning/channel_types.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { fundingChannelId } from "../../core/lightning/funding_channel_id.ts";
import { fundingSigner } from "../../core/lightning/funding_signer.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
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

    // B's invoice names B as payee; A has no channel at all: −29. Garbage is −8.
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
    assert.match(pay.error!.message, /no open, connected channel to pay from/);
    assert.equal((await a.scripted.call("ln_pay", "lnrrnt1garbage")).error?.code, -8);
    assert.equal((await a.scripted.call("ln_invoice", "0")).error?.code, -3);
    // hints must be a boolean; these services keep no graph, so ln_graph says they do not gossip.
    assert.equal((await b.scripted.call("ln_invoice", "0.001", "tea", null, "no")).error?.code, -3);
    const graph = await a.scripted.call("ln_graph");
    assert.equal(graph.error?.code, -1);
    assert.match(graph.error!.message, /does not gossip/);

    const peerOfB = a.manager.peers().find((p) => p.nodeId === b.id)!;

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

Deno.test("an ln_* message that does not decode disconnects and discourages its sender and changes nothing", async () => {
  const a = await startLnNode();
  const b = await startLnNode();
  try {
    const where = `127.0.0.1:${b.manager.listenPort}`;
    assert.deepEqual((await a.scripted.call("ln_connect", `${b.id}@${where}`)).result, {
      node_id: b.id,
    });
    const peerOfB = a.manager.peers().find((p) => p.nodeId === b.id)!;
    // An open_channel of 3 bytes: B's service cannot decode it.
    peerOfB.send({ type: "ln", id: 0x90, payload: new Uint8Array([1, 2, 3]) });
    const deadline = Date.now() + 5000;
    while (b.manager.bans.list().length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const bans = b.manager.bans.list();
    assert.equal(bans.length, 1);
    assert.equal(bans[0]!.address, `id:${a.id}`);
    assert.equal(bans[0]!.reason, "decode");
    assert.ok(!b.manager.peers().some((p) => p.nodeId === a.id), "B dropped A");
    assert.deepEqual((await b.scripted.call("ln_channels")).result, []);
    const info = (await b.scripted.call("ln_info")).result as { pending_openings: number };
    assert.equal(info.pending_openings, 0);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("a peer whose channels are never funded gets at most 4 of them stored, then its openings are refused; they are abandoned after the funding timeout", async () => {
  const b = await startLnNode();
  const a = await startScriptedNode();
  const received: OpenMessage[] = [];
  const manager = new PeerManager({
    node: a.node,
    identity: createNodeIdentity(),
    noAutoConnect: true,
  });
  // A scripted Lightning peer over the real transport: it signs real commitments 0 but never
  // broadcasts a funding transaction.
  manager.setLnHandler({
    peerReady() {},
    peerClosed() {},
    message(_peer, id, payload) {
      if (isOpenMessageId(id)) received.push(decodeOpenMessage(id, payload));
    },
  });
  await manager.start();
  try {
    const peer = await manager.connectTo({ host: "127.0.0.1", port: b.manager.listenPort! });
    const answer = async <T extends OpenMessage["type"]>(types: T[]) => {
      for (let i = 0; i < 250; i++) {
        const k = received.findIndex((m) => (types as string[]).includes(m.type));
        if (k >= 0) return received.splice(k, 1)[0] as Extract<OpenMessage, { type: T }>;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no ${types.join("/")} from B`);
    };
    const send = (m: OpenMessage) => {
      const { id, payload } = encodeOpenMessage(m);
      peer.send({ type: "ln", id, payload });
    };
    let signedCount = 0;
    for (let i = 0; i < 5; i++) {
      const f = freshChannelSecrets();
      const open = {
        type: "open_channel" as const,
        temporaryChannelId: crypto.getRandomValues(new Uint8Array(32)),
        fundingResonances: 10n ** 8n,
        pushMres: 0n,
        feeratePerByte: 1,
        params: partyParamsOf(f.secrets, 5),
        limits: limitsFor(10n ** 8n),
        firstPoint: perCommitmentPoint(perCommitmentSecret(f.seed, FIRST_COMMITMENT_INDEX)),
        secondPoint: perCommitmentPoint(perCommitmentSecret(f.seed, FIRST_COMMITMENT_INDEX - 1)),
      };
      send(open);
      const reply = await answer(["accept_channel", "channel_error"]);
      if (reply.type === "channel_error") {
        assert.equal(i, 4);
        assert.match(reply.text, /4 channels from this peer await their funding/);
        break;
      }
      const outpoint = { txid: crypto.getRandomValues(new Uint8Array(32)), vout: 0 };
      const config: ChannelConfig = {
        channelId: fundingChannelId(outpoint),
        funder: "local",
        capacityMres: 10n ** 11n,
        localParams: open.params,
        remoteParams: reply.params,
        localLimits: open.limits,
        remoteLimits: reply.limits,
      };
      const signature = fundingSigner(config, {
        magic: REGTEST.magic,
        fundingOutpoint: outpoint,
        fundingSeed: f.secrets.fundingSeed,
      }).signRemoteCommitment(initialCommitmentSpecs(config, 1, 0n).remote, reply.firstPoint);
      send({
        type: "funding_created",
        temporaryChannelId: open.temporaryChannelId,
        fundingTxid: outpoint.txid,
        fundingVout: 0,
        signature,
      });
      const signed = await answer(["funding_signed"]);
      assert.deepEqual(signed.channelId, config.channelId);
      signedCount++;
    }
    assert.equal(signedCount, 4);
    const statuses = async () =>
      ((await b.scripted.call("ln_channels")).result as { status: string }[]).map((c) => c.status);
    assert.deepEqual(await statuses(), Array(4).fill("awaiting-funding"));

    // Ten blocks (regtest's funding timeout) without the funding: B abandons all four.
    const owner = heartbeatWallet(REGTEST, 0);
    for (let h = 1; h <= 10; h++) {
      const parent = b.scripted.chainstate.tip();
      const ck = testCheckpoint(nextModelConfig(REGTEST, parent), h);
      const block = buildChildBlock(REGTEST, parent, {
        checkpoint: { root: ck.root, size: ck.size },
        coinbaseTo: owner.address,
      });
      b.scripted.evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
      const submitted = await b.scripted.call(
        "submitblock",
        toHex(encodeBlock(block)),
        toHex(ck.bytes),
      );
      assert.equal(submitted.result, null, JSON.stringify(submitted));
    }
    for (let i = 0; i < 100 && (await statuses()).includes("awaiting-funding"); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await statuses(), Array(4).fill("abandoned"));
  } finally {
    await manager.stop();
    await a.close();
    await b.close();
  }
});
