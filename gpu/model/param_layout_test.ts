import assert from "node:assert/strict";
import { shapeSize, tensorSpecs } from "../../core/checkpoint/model_config.ts";
import { decaysWeight } from "../ref/model.ts";
import { BINDING_ALIGNMENT_BYTES, paramLayout, splitRange } from "./param_layout.ts";

Deno.test("paramLayout() places every tensor once, aligned, without overlap, decayed ones first", () => {
  const config = { dModel: 18, nLayers: 2 };
  const layout = paramLayout(config);
  const specs = tensorSpecs(config);
  assert.deepEqual(layout.tensors.map((t) => t.name), specs.map((s) => s.name));
  const byOffset = [...layout.tensors].sort((a, b) => a.offset - b.offset);
  for (const [i, t] of byOffset.entries()) {
    assert.equal(t.length, shapeSize(specs[t.index]!.shape));
    assert.equal(t.decays, decaysWeight(t.name));
    assert.equal((t.offset * 4) % BINDING_ALIGNMENT_BYTES, 0, `${t.name} offset`);
    const next = byOffset[i + 1];
    if (next) assert.ok(t.offset + t.length <= next.offset, `${t.name} overlaps ${next.name}`);
    const range = t.decays ? layout.decayed : layout.undecayed;
    assert.ok(t.offset >= range.offset && t.offset + t.length <= range.offset + range.length);
  }
  assert.equal(layout.decayed.offset, 0);
  assert.ok(layout.decayed.offset + layout.decayed.length <= layout.undecayed.offset);
  assert.equal(layout.undecayed.offset + layout.undecayed.length, layout.floats);
  assert.equal(
    layout.place("layers.1.gru.wz"),
    layout.tensors.find((t) => t.name === "layers.1.gru.wz"),
  );
});

Deno.test("paramLayout() rejects an unknown tensor name and a bad alignment", () => {
  const layout = paramLayout({ dModel: 16, nLayers: 1 });
  assert.throws(() => layout.place("layers.1.gru.wz"), RangeError);
  assert.throws(() => paramLayout({ dModel: 16, nLayers: 1 }, 6), RangeError);
});

Deno.test("splitRange() covers the range in aligned pieces within the size cap", () => {
  const range = { offset: 128, length: 1000 };
  const pieces = splitRange(range, 1000, 256); // 1000 bytes → 768-byte (192-float) pieces
  assert.deepEqual(pieces.map((p) => p.length), [192, 192, 192, 192, 192, 40]);
  assert.equal(pieces[0]!.offset, 128);
  for (const [i, p] of pieces.entries()) {
    if (i > 0) assert.equal(p.offset, pieces[i - 1]!.offset + pieces[i - 1]!.length);
  }
  assert.deepEqual(splitRange({ offset: 0, length: 10 }, 1 << 20), [{ offset: 0, length: 10 }]);
  assert.throws(() => splitRange(range, 100, 256), RangeError);
});
