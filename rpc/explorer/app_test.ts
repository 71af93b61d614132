/**
 * The explorer's routes in-process (Hono `app.request`, no socket): a real Node over a real
 * Chainstate on LevelDB in a temp dir with a scripted evaluator, blocks built by the consensus
 * test builder and submitted through the `submitblock` RPC.
 */
import assert from "node:assert/strict";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import {
  buildChildBlock,
  heartbeatWallet,
  testCheckpoint,
} from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { encodeAddress } from "../../core/primitives/address.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { startScriptedNode } from "../methods/_test_node.ts";
import { emissionReturn } from "./address_page.ts";
import { createExplorerApp } from "./app.ts";
import { loadExplorerAssets } from "./assets.ts";
import { utc } from "./html.ts";
import { formatRnt } from "../../core/primitives/amount.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const params = REGTEST;
const owner = heartbeatWallet(params, 0);
type Row = Record<string, unknown>;

/** A page's text with every run of whitespace made one space (markup is laid out freely). */
async function flat(res: Response): Promise<string> {
  return (await res.text()).replace(/\s+/g, " ").replace(/> </g, "><");
}

async function setup(blocks: number) {
  const scripted = await startScriptedNode(params);
  const { chainstate, evaluator, call } = scripted;
  const mine = async (seed: number) => {
    const parent = chainstate.tip();
    const ck = testCheckpoint(nextModelConfig(params, parent), seed);
    const block = buildChildBlock(params, parent, {
      checkpoint: { root: ck.root, size: ck.size },
      coinbaseTo: owner.address,
    });
    evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
    const reply = await call("submitblock", toHex(encodeBlock(block)), toHex(ck.bytes));
    assert.deepEqual(reply, { result: null });
    return block;
  };
  for (let i = 1; i <= blocks; i++) await mine(i);
  const explorer = createExplorerApp(scripted.node, { assets: await loadExplorerAssets() });
  const get = (path: string, init?: RequestInit) =>
    explorer.app.request(`http://127.0.0.1:29556${path}`, init);
  const close = async () => {
    explorer.close();
    await scripted.close();
  };
  return { ...scripted, explorer, get, mine, close };
}

Deno.test("the explorer's front page shows the tip and loads its plots and scripts from the node", async () => {
  const t = await setup(3);
  try {
    const res = await t.get("/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /text\/html/);
    const page = await flat(res);
    const tip = t.chainstate.tip();
    assert.ok(page.includes(toHex(tip.hash)));
    assert.ok(page.includes('<span data-tip="height">3</span>'));
    for (const id of ["chart-loss", "chart-size", "chart-supply", "recent-blocks"]) {
      assert.ok(page.includes(`id="${id}"`), id);
    }
    // Every script and stylesheet is served by the node itself.
    const srcs = [...page.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    assert.deepEqual(srcs.sort(), [
      "/assets/explorer.css",
      "/assets/explorer.js",
      "/assets/uPlot.iife.min.js",
      "/assets/uPlot.min.css",
    ]);
    for (const src of srcs) {
      const asset = await t.get(src);
      assert.equal(asset.status, 200, src);
      assert.ok((await asset.arrayBuffer()).byteLength > 500, src);
    }
    assert.equal((await t.get("/assets/nothing.js")).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("/api/losshistory and getlosshistory give one row per block with loss, size, reward and supply", async () => {
  const t = await setup(4);
  try {
    const rows = await (await t.get("/api/losshistory")).json() as Row[];
    assert.deepEqual(rows.map((r) => r.height), [0, 1, 2, 3, 4]);
    for (const row of rows) {
      const entry = t.chainstate.getEntryByHeight(row.height as number)!;
      assert.equal(row.hash, toHex(entry.hash));
      assert.equal(row.loss_micronats, entry.header.sampleLossMicroNats);
      assert.equal(row.d_model, entry.header.dModel);
      assert.equal(row.layers, entry.header.nLayers);
    }
    assert.ok(rows.slice(1).every((r) => (r.improvement_ppm as number) > 0));
    assert.ok(
      rows.slice(1).every((r, i) => (r.supply_rnt as number) > (rows[i]!.supply_rnt as number)),
    );
    const [e0, e1, e2] = [0, 1, 2].map((h) => t.chainstate.getEntryByHeight(h)!);
    assert.equal(rows[1]!.reward, formatRnt(e1!.mintedResonances - e0!.mintedResonances));

    const rpc = (await t.call("getlosshistory")).result as Row[];
    assert.deepEqual(rpc.map((r) => r.height), [0, 1, 2, 3, 4]);
    assert.equal(rpc[2]!.sample_loss_micronats, rows[2]!.loss_micronats);
    assert.equal(rpc[2]!.supply_resonances, Number(e2!.mintedResonances - e2!.returnedResonances));
    const window = (await t.call("getlosshistory", 2, 2)).result as Row[];
    assert.deepEqual(window.map((r) => r.height), [2, 3]);
    assert.equal((await t.call("getlosshistory", 5)).error?.code, -8);
    assert.equal((await t.call("getlosshistory", 0, 0)).error?.code, -8);
    assert.equal((await t.call("getlosshistory", "x")).error?.code, -3);
  } finally {
    await t.close();
  }
});

Deno.test("the block page shows the block's header, loss, improvement, verify time, reward and transactions", async () => {
  const t = await setup(3);
  try {
    const entry = t.chainstate.getEntryByHeight(2)!;
    const hash = toHex(entry.hash);
    for (const path of [`/block/${hash}`, "/block/2", `/block/${hash.toUpperCase()}`]) {
      const res = await t.get(path);
      assert.equal(res.status, 200, path);
      const page = await flat(res);
      assert.ok(page.includes(`data-field="height">2</span>`));
      assert.ok(page.includes(`data-field="hash">${hash}</code>`));
      const loss = (entry.header.sampleLossMicroNats / 1e6).toFixed(6);
      assert.ok(page.includes(`data-field="loss">${loss}</span>`));
      assert.match(page, /data-field="improvement">\d+\.\d{4}%<\/span>/);
      assert.match(page, /data-field="verify">\d+\.\d{3} s<\/span>/);
      const minted = entry.mintedResonances - t.chainstate.getEntryByHeight(1)!.mintedResonances;
      assert.ok(page.includes(`data-field="reward">${formatRnt(minted)} RNT</span>`));
      const block = (await t.chainstate.getBlock(entry.hash))!;
      assert.ok(page.includes(`/tx/${toHex(txid(params.magic, block.txs[0]!))}`));
      assert.ok(page.includes(`/block/${toHex(entry.header.prevHash)}`));
    }
    assert.equal((await t.get("/block/99")).status, 404);
    assert.equal((await t.get("/block/not-a-block")).status, 404);
    assert.equal((await t.get(`/block/${"0".repeat(64)}`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("the transaction and address pages link each other and say when coins return to emission", async () => {
  const t = await setup(2);
  try {
    const entry = t.chainstate.getEntryByHeight(1)!;
    const block = (await t.chainstate.getBlock(entry.hash))!;
    const id = toHex(txid(params.magic, block.txs[0]!));
    const address = encodeAddress(params, owner.address);
    const txPage = await flat(await t.get(`/tx/${id}`));
    assert.ok(txPage.includes(`data-field="txid">${id}</code>`));
    assert.ok(txPage.includes(`href="/address/${address}"`));
    assert.ok(txPage.includes("coinbase"));
    assert.equal((await t.get(`/tx/${"ab".repeat(32)}`)).status, 404);
    assert.equal((await t.get("/tx/xyz")).status, 404);

    const balance = (await Promise.all([1, 2].map(async (h) => {
      const b = (await t.chainstate.getBlock(t.chainstate.getEntryByHeight(h)!.hash))!;
      return b.txs[0]!.outputs[0]!.value;
    }))).reduce((a, b) => a + b, 0n);
    const res = await t.get(`/address/${address}`);
    assert.equal(res.status, 200);
    const page = await flat(res);
    assert.ok(page.includes(`data-field="balance">${formatRnt(balance)} RNT</span> in 2 coin(s)`));
    assert.ok(page.includes(`/tx/${id}`));
    // The coin of block 1 returns to emission emissionReturnAgeSecs of median time after it was
    // created, unless the owner spends it: the page gives that median time.
    const utxo =
      (await t.chainstate.getUtxo({ txid: txid(params.magic, block.txs[0]!), vout: 0 }))!;
    const due = emissionReturn(t.node, utxo.createdMtpSecs, t.chainstate.tip().mtpSecs);
    assert.equal(due.atMtpSecs, utxo.createdMtpSecs + params.emissionReturnAgeSecs);
    assert.ok(due.inSecs > 0);
    assert.ok(page.includes(utc(due.atMtpSecs)));
    assert.match(page, /data-field="expiry">in [^<]+<\/span>[^<]*unless heartbeated/);
    assert.ok(page.includes("returns to emission") || page.includes("return to emission"));

    const bad = await t.get("/address/rrnt1notanaddress");
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /is not a regtest address/);
  } finally {
    await t.close();
  }
});

Deno.test("/blocks lists blocks newest first, from a height", async () => {
  const t = await setup(3);
  try {
    const heights = (page: string) =>
      [...page.matchAll(/<tr><td><a href="\/block\/[0-9a-f]{64}">(\d+)<\/a>/g)].map((m) => +m[1]!);
    const all = await flat(await t.get("/blocks"));
    assert.deepEqual(heights(all), [3, 2, 1, 0]);
    assert.ok(!all.includes(">newer<") && !all.includes(">older<"));
    const from1 = await flat(await t.get("/blocks?from=1"));
    assert.deepEqual(heights(from1), [1, 0]);
    assert.ok(from1.includes('href="/blocks?from=3">newer<'));
    assert.deepEqual(heights(await flat(await t.get("/blocks?from=99"))), [3, 2, 1, 0]);
    assert.deepEqual(heights(await flat(await t.get("/blocks?from=x"))), [3, 2, 1, 0]);
  } finally {
    await t.close();
  }
});

Deno.test("search finds heights, blocks, transactions and addresses", async () => {
  const t = await setup(1);
  try {
    const hash = toHex(t.chainstate.tip().hash);
    const address = encodeAddress(params, owner.address);
    const where = async (q: string) => {
      const res = await t.get(`/search?q=${encodeURIComponent(q)}`);
      return res.status === 302 ? res.headers.get("location") : res.status;
    };
    assert.equal(await where("1"), "/block/1");
    assert.equal(await where(hash), `/block/${hash}`);
    assert.equal(await where(address), `/address/${address}`);
    assert.equal(await where("nothing"), 404);
    assert.equal(await where("77"), 404);
  } finally {
    await t.close();
  }
});

Deno.test("the mempool, peers and model pages render; a sample is generated from the tip's checkpoint", async () => {
  const t = await setup(1);
  try {
    assert.match(await flat(await t.get("/mempool")), /data-field="count">0<\/span>/);
    assert.match(await flat(await t.get("/peers")), /Peer-to-peer networking is off/);
    const tip = t.chainstate.tip();
    const model = await flat(await t.get("/model"));
    assert.ok(
      model.includes(`d_model ${tip.header.dModel}, ${tip.header.nLayers} layer(s)`),
    );
    const res = await t.get("/model?prompt=Hello&length=24&seed=3&generate=1");
    assert.equal(res.status, 200);
    const page = await flat(res);
    const sample = page.match(/<pre class="sample" id="sample"><b>Hello<\/b>([\s\S]*?)<\/pre>/);
    assert.ok(sample, "no sample on the page");
    // The same request gives the same bytes (seeded sampling).
    const again = await flat(await t.get("/model?prompt=Hello&length=24&seed=3&generate=1"));
    assert.ok(again.includes(sample[0]));
    const tooLong = await t.get("/model?prompt=Hi&length=100000&generate=1");
    assert.equal(tooLong.status, 400);
    assert.match(await tooLong.text(), /The length must be 1 to 400 bytes/);
    const markup = await (await t.get("/model?prompt=%3Cscript%3E&length=1&generate=1")).text();
    assert.ok(!markup.includes("<script>"), "the prompt is escaped");
  } finally {
    await t.close();
  }
});

Deno.test("closing the explorer stops a sample being generated", async () => {
  const t = await setup(1);
  try {
    const pending = t.get("/model?prompt=Hello&length=400&generate=1");
    t.explorer.close();
    const res = await pending;
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Sampling stopped: the explorer is stopping/);
  } finally {
    await t.close();
  }
});

Deno.test("the explorer refuses other hosts and anything but GET", async () => {
  const t = await setup(0);
  try {
    const rebound = await t.explorer.app.request("http://evil.example/", {
      headers: { host: "evil.example" },
    });
    assert.equal(rebound.status, 421);
    await rebound.body?.cancel();
    const post = await t.get("/", { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
    const missing = await t.get("/no/such/page");
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("/api/events sends each new block as it connects, and closing the explorer ends the stream", async () => {
  const t = await setup(1);
  try {
    const res = await t.get("/api/events");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.match((await reader.read()).value!, /^: connected/);
    assert.equal(t.explorer.events.openStreams, 1);
    const block = await t.mine(2);
    const event = (await reader.read()).value!;
    assert.match(event, /^event: block\ndata: /);
    const row = JSON.parse(event.split("\n")[1]!.slice("data: ".length)) as Row;
    assert.equal(row.height, 2);
    assert.equal(row.loss_micronats, block.header.sampleLossMicroNats);
    assert.equal(row.hash, toHex(t.chainstate.tip().hash));
    t.explorer.close();
    assert.equal((await reader.read()).done, true);
    assert.equal((await t.get("/api/events")).status, 503);
  } finally {
    await t.close();
  }
});
