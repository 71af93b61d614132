/**
 * The explorer in a real browser: a real `rnt node --regtest --explorer=PORT` process holding
 * real trained blocks (the committed regtest chain fixture, submitted with `submitblock`), and
 * Debian's Chromium (/usr/bin/chromium, headless) driven over the DevTools protocol
 * (`cdp_browser.ts`). The page must plot one loss point per block, add a block that arrives while
 * it is open (server-sent events), and follow a block link to that block's page. A browser that
 * cannot start fails the test: it is never skipped.
 */
import assert from "node:assert/strict";
import { toHex } from "../core/crypto/keccak.ts";
import { readChainFixture } from "./chain_fixture.ts";
import { CdpBrowser, type CdpPage } from "./cdp_browser.ts";
import { freePort, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

/** Where Debian installs Chromium (.ci/run installs the package when it is missing). */
const CHROMIUM = "/usr/bin/chromium";
/** Fixture blocks in the chain before the page opens; one more arrives while it is open. */
const BLOCKS_BEFORE = 8;

interface ExplorerState {
  ready: boolean;
  connected: boolean;
  events: { height: number; hash: string }[];
  charts: Record<string, number[][]>;
}

/** The page script's state (`window.explorer`), with each plot's data columns. */
function pageState(page: CdpPage): Promise<ExplorerState | null> {
  return page.evaluate(`(() => {
    const s = globalThis.explorer;
    if (!s) return null;
    const charts = {};
    for (const [id, chart] of Object.entries(s.charts)) charts[id] = chart.data.map((c) => [...c]);
    return { ready: s.ready, connected: s.connected, events: s.events, charts };
  })()`);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("the explorer plots one loss point per block, adds new blocks live and links to block pages", async () => {
  const fixture = await readChainFixture();
  await using dir = await tempDir("rnt-explorer-");
  const explorerPort = freePort();
  await using node = NodeProcess.spawn(`${dir.path}/node`, undefined, [
    `--explorer=${explorerPort}`,
  ]);
  await node.ready();
  for (const b of fixture.slice(0, BLOCKS_BEFORE)) {
    assert.equal(await node.rpc("submitblock", [toHex(b.block), toHex(b.checkpoint)]), null);
  }
  assert.match(
    node.log,
    new RegExp(`explorer listening on http://127\\.0\\.0\\.1:${explorerPort}/`),
  );
  const url = `http://127.0.0.1:${explorerPort}`;

  await Deno.mkdir(`${dir.path}/chromium`);
  const browser = await CdpBrowser.launch(CHROMIUM, `${dir.path}/chromium`);
  try {
    const page = await browser.newPage(1280, 1000);
    const started = performance.now();
    await page.goto(`${url}/`);
    const state = await until("the plots and the event stream", async () => {
      const s = await pageState(page);
      return s?.ready && s.connected && s.charts["chart-loss"] ? s : undefined;
    });
    const loadMs = performance.now() - started;

    // One x per block, genesis included; each loss is the block's committed sample loss.
    const history = await node.rpc<Record<string, number>[]>("getlosshistory");
    assert.equal(history.length, BLOCKS_BEFORE + 1);
    const [heights, losses] = state.charts["chart-loss"] as [number[], number[]];
    assert.deepEqual(heights, history.map((r) => r.height));
    // Genesis claims no sample: no point (null), not a 0.
    assert.deepEqual(
      losses,
      history.map((r) => r.height === 0 ? null : r.sample_loss_micronats! / 1e6),
    );
    assert.equal(state.charts["chart-size"]![0]!.length, BLOCKS_BEFORE + 1);
    assert.equal(state.charts["chart-supply"]![0]!.length, BLOCKS_BEFORE + 1);
    assert.equal(await page.evaluate("document.querySelectorAll('.uplot canvas').length"), 3);
    assert.equal(await page.textOf('[data-tip="height"]'), String(BLOCKS_BEFORE));

    // A block submitted while the page is open arrives by server-sent event.
    const next = fixture[BLOCKS_BEFORE]!;
    assert.equal(await node.rpc("submitblock", [toHex(next.block), toHex(next.checkpoint)]), null);
    const newHash = await node.rpc<string>("getbestblockhash");
    const live = await until("the new block's event", async () => {
      const s = await pageState(page);
      return s?.events.length === 1 && s.charts["chart-loss"]![0]!.length === BLOCKS_BEFORE + 2
        ? s
        : undefined;
    });
    assert.deepEqual(live.events.map((e) => [e.height, e.hash]), [[BLOCKS_BEFORE + 1, newHash]]);
    assert.equal(await page.textOf('[data-tip="height"]'), String(BLOCKS_BEFORE + 1));
    assert.equal(await page.textOf("#recent-blocks tbody tr td"), String(BLOCKS_BEFORE + 1));
    await page.screenshot(`${dir.path}/explorer.png`);
    assert.ok((await Deno.stat(`${dir.path}/explorer.png`)).size > 10_000);

    // Following a block link (a real mouse click) opens that block's page.
    const target = history[3]!;
    await page.clickAndLoad(`#recent-blocks a[href="/block/${target.hash}"]`);
    assert.equal(await page.evaluate("location.pathname"), `/block/${target.hash}`);
    assert.equal(await page.textOf('[data-field="height"]'), "3");
    assert.equal(await page.textOf('[data-field="hash"]'), String(target.hash));
    assert.equal(
      await page.textOf('[data-field="loss"]'),
      (target.sample_loss_micronats! / 1e6).toFixed(6),
    );
    assert.match((await page.textOf('[data-field="verify"]')) ?? "", /^\d+\.\d{3} s$/);
    await page.screenshot(`${dir.path}/block.png`);

    // On to its coinbase, then the address it pays: when its coins return to emission.
    await page.clickAndLoad("#transactions a.hash");
    assert.equal(await page.textOf("#tx tr:nth-child(4) td"), "coinbase");
    await page.clickAndLoad("#outputs a.address");
    assert.match(await page.evaluate<string>("location.pathname"), /^\/address\/rrnt1/);
    assert.match(
      (await page.textOf('[data-field="expiry"]')) ?? "",
      /^(in \d+ (d|h|min|s)\b.*|now: .*)$/,
    );
    assert.match((await page.textOf(".expiry-rule")) ?? "", /restarts the clock/);
    await page.screenshot(`${dir.path}/address.png`);
    assert.deepEqual(page.errors, []);
    console.log(`explorer page ready (plots drawn, events connected) in ${loadMs.toFixed(0)} ms`);
    const keep = Deno.env.get("RNT_EXPLORER_SCREENSHOTS");
    if (keep) {
      for (const name of ["explorer.png", "block.png", "address.png"]) {
        await Deno.copyFile(`${dir.path}/${name}`, `${keep}/${name}`);
      }
    }
  } finally {
    await browser.close();
  }
  assert.equal((await node.stop()).code, 0);
  assert.match(node.log, /shutdown complete/);
});
