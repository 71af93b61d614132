import assert from "node:assert/strict";
import {
  assertModelConfig,
  isValidModelConfig,
  paramCount,
  shapeSize,
  tensorSpecs,
} from "./model_config.ts";

Deno.test("paramCount() equals the sum of the allocated tensor shapes", () => {
  const configs = [
    { dModel: 2, nLayers: 1 },
    { dModel: 8, nLayers: 2 },
    { dModel: 16, nLayers: 1 },
    { dModel: 128, nLayers: 2 },
    { dModel: 384, nLayers: 6 },
    { dModel: 4096, nLayers: 48 },
  ];
  for (const c of configs) {
    const sum = tensorSpecs(c).reduce((s, t) => s + shapeSize(t.shape), 0);
    assert.equal(paramCount(c), sum, `d=${c.dModel} L=${c.nLayers}`);
  }
});

Deno.test("tensorSpecs() lists tensors in canonical order", () => {
  const names = tensorSpecs({ dModel: 8, nLayers: 2 }).map((t) => t.name);
  assert.equal(names[0], "embed");
  assert.equal(names[1], "layers.0.conv.norm");
  assert.deepEqual(names.slice(2, 8), [
    "layers.0.conv.w3",
    "layers.0.conv.w7",
    "layers.0.conv.w15",
    "layers.0.conv.w31",
    "layers.0.conv.w63",
    "layers.0.conv.gain",
  ]);
  assert.equal(names[names.length - 1], "final_norm");
  assert.equal(names.length, 2 + 2 * 19);
  assert.equal(names.indexOf("layers.1.conv.norm"), 1 + 19);
  const specs = tensorSpecs({ dModel: 8, nLayers: 1 });
  const shape = (n: string) => specs.find((t) => t.name === n)!.shape;
  assert.deepEqual(shape("layers.0.mem.wq"), [32, 8]);
  assert.deepEqual(shape("layers.0.mem.keys"), [64, 32]);
  assert.deepEqual(shape("layers.0.mem.values"), [8, 64]);
  assert.deepEqual(shape("layers.0.ffn.w1"), [32, 8]);
  assert.deepEqual(shape("layers.0.ffn.w2"), [8, 32]);
  assert.deepEqual(shape("layers.0.conv.w31"), [31, 8]);
});

Deno.test("assertModelConfig() rejects configs outside the bounds", () => {
  for (
    const c of [
      { dModel: 0, nLayers: 1 },
      { dModel: 3, nLayers: 1 },
      { dModel: 4098, nLayers: 1 },
      { dModel: 16, nLayers: 0 },
      { dModel: 16, nLayers: 49 },
      { dModel: 16.5, nLayers: 1 },
      { dModel: 16, nLayers: NaN },
    ]
  ) {
    assert.equal(isValidModelConfig(c), false);
    assert.throws(() => assertModelConfig(c), RangeError);
    assert.throws(() => paramCount(c), RangeError);
  }
  assert.equal(isValidModelConfig({ dModel: 4096, nLayers: 48 }), true);
  assert.equal(isValidModelConfig({ dModel: 2, nLayers: 1 }), true);
});
