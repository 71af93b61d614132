import assert from "node:assert/strict";
import {
  isRawJson,
  jsonNestingDepth,
  jsonNumber,
  parseJsonBounded,
  parseJsonExact,
  stringifyJson,
} from "./json_text.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("jsonNestingDepth() ignores brackets inside strings and escaped quotes", () => {
  assert.equal(jsonNestingDepth("[]"), 1);
  assert.equal(jsonNestingDepth('{"a":[{"b":[]}]}'), 4);
  assert.equal(jsonNestingDepth('["[[[\\"[[[", {}]'), 2);
  assert.equal(jsonNestingDepth("1"), 0);
});

Deno.test("jsonNestingDepth() stops early once past the limit", () => {
  assert.equal(jsonNestingDepth("[".repeat(1_000_000), 512), 513);
});

Deno.test("parseJsonBounded() rejects nesting over the limit with SyntaxError", () => {
  assert.deepEqual(parseJsonBounded("[[1]]", 2), [[1]]);
  assert.throws(() => parseJsonBounded("[[[1]]]", 2), SyntaxError);
  assert.throws(() => parseJsonBounded("{", 2), SyntaxError);
});

Deno.test("stringifyJson() writes bigint exactly and keeps raw number literals", () => {
  assert.equal(stringifyJson({ a: -(2n ** 80n) }), '{"a":-1208925819614629174706176}');
  assert.equal(stringifyJson([jsonNumber("1.50000000")]), "[1.50000000]");
  assert.equal(stringifyJson({ a: [1] }, 2), '{\n  "a": [\n    1\n  ]\n}');
});

Deno.test("jsonNumber() rejects anything but a JSON number literal", () => {
  for (const bad of ["01", "1.", ".5", "NaN", "1e", "+1", "0x10", '1,"a":2']) {
    assert.throws(() => jsonNumber(bad), TypeError, bad);
  }
  assert.ok(isRawJson(jsonNumber("-0.5e-3")));
  assert.ok(!isRawJson(1));
});

Deno.test("parseJsonExact() keeps digits a float would change and plain numbers as numbers", () => {
  const value = parseJsonExact('{"a":0.00100000,"b":12345678901234567890,"c":5,"d":[1e3]}') as {
    a: unknown;
    c: unknown;
  };
  assert.equal(value.c, 5);
  assert.ok(isRawJson(value.a));
  assert.equal(
    stringifyJson(value),
    '{"a":0.00100000,"b":12345678901234567890,"c":5,"d":[1e3]}',
  );
});
