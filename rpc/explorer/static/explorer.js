// The rnt explorer's page script: draws the learning-curve plots with uPlot (served by the node)
// from /api/losshistory and follows new blocks over server-sent events (/api/events), adding each
// block's point to the plots, the tip table and the recent-blocks list. Its state is on
// `window.explorer` (history rows, the uPlot objects, the events received) for tests and curious
// users.
"use strict";
(() => {
  const state = { history: [], charts: {}, events: [], ready: false, connected: false };
  globalThis.explorer = state;
  const byId = (id) => document.getElementById(id);

  const PLOTS = [
    {
      id: "chart-loss",
      // Each block's loss is on its own sample (PROTOCOL §5.9); genesis claims none, so it
      // has no point rather than a misleading 0.
      title: "Sample loss (nats) by height, each block on its own sample",
      series: [{ label: "loss", stroke: "#c0392b", value: (_u, v) => v?.toFixed(6) }],
      columns: (rows) => [rows.map((r) => r.height === 0 ? null : r.loss)],
    },
    {
      id: "chart-size",
      title: "Model size by height",
      series: [
        { label: "d_model", stroke: "#2471a3" },
        { label: "layers", stroke: "#229954", scale: "layers" },
      ],
      columns: (rows) => [rows.map((r) => r.d_model), rows.map((r) => r.layers)],
      axes: [{ scale: "layers", side: 1, grid: { show: false }, incrs: [1, 2, 4, 8, 16] }],
    },
    {
      id: "chart-supply",
      title: "Block reward and supply (RNT) by height",
      series: [
        { label: "reward", stroke: "#b9770e" },
        { label: "supply", stroke: "#7d3c98", scale: "supply" },
      ],
      columns: (rows) => [rows.map((r) => r.reward_rnt), rows.map((r) => r.supply_rnt)],
      axes: [{ scale: "supply", side: 1, grid: { show: false } }],
    },
  ];

  function dataOf(plot) {
    return [state.history.map((r) => r.height), ...plot.columns(state.history)];
  }

  function draw() {
    for (const plot of PLOTS) {
      const host = byId(plot.id);
      if (!host || typeof uPlot === "undefined") continue;
      const existing = state.charts[plot.id];
      if (existing) {
        existing.setData(dataOf(plot));
        continue;
      }
      // The plot fills its box's content width (clientWidth less the box's padding).
      const pad = parseFloat(getComputedStyle(host).paddingLeft) * 2 || 0;
      const width = Math.max(320, (host.clientWidth || 640) - pad);
      state.charts[plot.id] = new uPlot(
        {
          title: plot.title,
          width,
          height: 220,
          scales: { x: { time: false } },
          series: [{ label: "height" }, ...plot.series.map((s) => ({ width: 2, ...s }))],
          axes: [{ label: "height" }, {}, ...(plot.axes ?? [])],
        },
        dataOf(plot),
        host,
      );
    }
  }

  function setText(name, text) {
    for (const el of document.querySelectorAll(`[data-tip="${name}"]`)) el.textContent = text;
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  /** A row's sample loss for display: genesis claims no sample. */
  function lossText(row) {
    return row.height === 0 ? "— (genesis: no sample)" : row.loss.toFixed(6);
  }

  function addRecent(row) {
    const body = document.querySelector("#recent-blocks tbody");
    if (!body) return;
    const tr = document.createElement("tr");
    const cells = [
      link(`/block/${row.hash}`, String(row.height)),
      link(`/block/${row.hash}`, `${row.hash.slice(0, 8)}…${row.hash.slice(-8)}`),
      new Date(row.time * 1000).toISOString().replace(".000Z", "Z"),
      lossText(row),
      `${(row.improvement_ppm / 1e4).toFixed(2)}%`,
      `${row.d_model}x${row.layers}`,
      `${row.reward} RNT`,
    ];
    for (const c of cells) {
      const td = document.createElement("td");
      if (typeof c === "string") td.textContent = c;
      else td.append(c);
      tr.append(td);
    }
    body.prepend(tr);
    while (body.rows.length > 20) body.deleteRow(body.rows.length - 1);
  }

  function apply(row) {
    state.history = state.history.filter((r) => r.height < row.height);
    state.history.push(row);
    draw();
    setText("height", String(row.height));
    setText("hash", row.hash);
    setText("loss", lossText(row));
    setText("model", `${row.d_model} x ${row.layers}`);
    setText("supply", `${row.supply} RNT`);
    addRecent(row);
  }

  async function load() {
    const res = await fetch("/api/losshistory");
    if (!res.ok) throw new Error(`/api/losshistory answered ${res.status}`);
    state.history = await res.json();
    draw();
    state.ready = true;
  }

  function listen() {
    const source = new EventSource("/api/events");
    source.addEventListener("open", () => state.connected = true);
    source.addEventListener("block", (e) => {
      const row = JSON.parse(e.data);
      state.events.push(row);
      if (state.ready) apply(row);
    });
    source.addEventListener("reorg", () => load());
    state.source = source;
  }

  listen();
  load().catch((e) => {
    state.error = String(e);
    const note = byId("charts-error");
    if (note) note.textContent = `Plots unavailable: ${e}`;
  });
})();
