/**
 * The explorer's model page: the tip's model (configuration, parameters, checkpoint, loss), the
 * configuration and loss its child needs, and a form that generates a sample from the tip's
 * checkpoint.
 *
 * @module
 */
import { chunkCount } from "../../core/checkpoint/chunks.ts";
import { paramCount } from "../../core/checkpoint/model_config.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { Node } from "../../node/node.ts";
import { requiredChildImprovementPpm } from "../methods/blockchain.ts";
import { blockLink, facts, type Html, html, loss } from "./html.ts";
import { MAX_SAMPLE_BYTES, type Sample, type SampleRequest } from "./sample.ts";

/** The body of the model page; `sample` is shown when one was asked for, `error` when it failed. */
export function modelPage(
  node: Node,
  request: SampleRequest,
  result: { sample: Sample } | { error: string } | undefined,
): Html {
  const tip = node.chainstate.tip();
  const h = tip.header;
  const next = nextModelConfig(node.params, tip);
  return html`
    ${facts([
      ["block", html`${tip.height} ${blockLink(tip.hash)}`],
      [
        "configuration",
        html`<span data-field="config">d_model ${h.dModel}, ${h.nLayers} layer(s)</span>`,
      ],
      [
        "parameters",
        html`<span data-field="parameters">${paramCount(h).toLocaleString("en")}</span>`,
      ],
      ["loss on its block's sample (nats)", loss(h.sampleLossMicroNats)],
      ["chain work", `${tip.chainWork}`],
      [
        "checkpoint",
        html`${h.checkpointSize.toLocaleString("en")} bytes, ${
          chunkCount(h.checkpointSize)
        } chunk(s), root <code>${toHex(h.checkpointRoot)}</code>`,
      ],
      ["evaluator", node.evaluator.name],
      [
        "next block's model",
        `d_model ${next.dModel}, ${next.nLayers} layer(s), ${
          paramCount(next).toLocaleString("en")
        } parameters`,
      ],
      [
        "next block's required improvement now",
        `${requiredChildImprovementPpm(node, tip)} ppm on its sample`,
      ],
    ], "model")}
    <h2>Generate a sample from the tip</h2>
    <form class="generate" method="get" action="/model">
      <label>Prompt <input type="text" name="prompt" value="${request.prompt}"></label>
      <label>Bytes <input type="number" name="length" min="1" max="${MAX_SAMPLE_BYTES}" value="${request
        .length}"></label>
      <label>Seed <input type="number" name="seed" min="0" value="${request.seed}"></label>
      <button type="submit" name="generate" value="1">Generate</button>
    </form>
    ${result === undefined
      ? html`
        <p
          class="muted">Byte-level sampling (temperature 0.8, top-k 40) with the CPU reference, in a worker beside the node; also <code>rnt model generate --tip</code>.</p>
      `
      : "error" in result
      ? html`<p class="warn" id="sample-error">${result.error}</p>`
      : html`<pre class="sample" id="sample"><b>${result.sample.prompt}</b>${result.sample.text}</pre>
<p class="muted">From block ${result.sample.height} in ${result.sample.seconds.toFixed(3)} s.</p>`}
  `;
}
