/**
 * JSON text helpers for the RPC boundary: a parser that refuses deep nesting before it builds
 * anything (as Core's 512-level limit), a serializer that writes bigint as exact integers, and
 * raw number literals so amounts can keep Core's fixed 8 decimals (`0.00100000`).
 *
 * @module
 */

/** Deepest array/object nesting accepted in a request, as Core's `MAX_JSON_DEPTH`. */
export const MAX_JSON_DEPTH = 512;

/** Opaque value that serializes as the raw JSON text it was made from (V8's `JSON.rawJSON`). */
export type RawJson = { readonly rawJSON: string };

const jsonWithRaw = JSON as unknown as JSON & {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
};

const NUMBER_LITERAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * A JSON number written exactly as `text` (e.g. `"0.00100000"`); use it for amounts.
 *
 * @example
 * ```ts
 * import { jsonNumber, stringifyJson } from "./json_text.ts";
 * console.log(stringifyJson({ amount: jsonNumber("0.00100000") })); // {"amount":0.00100000}
 * ```
 */
export function jsonNumber(text: string): RawJson {
  if (!NUMBER_LITERAL.test(text)) {
    throw new TypeError(`jsonNumber() needs a JSON number literal, got '${text}'`);
  }
  return jsonWithRaw.rawJSON(text);
}

/** Whether `value` came from {@linkcode jsonNumber} (or `JSON.rawJSON`). */
export function isRawJson(value: unknown): value is RawJson {
  return jsonWithRaw.isRawJSON(value);
}

/**
 * Returns the deepest array/object nesting in `text`, stopping early once it passes `limit`.
 * Brackets inside strings do not count. Linear time, constant memory.
 */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/**
 * Parses JSON text, throwing SyntaxError for malformed text or nesting deeper than `maxDepth`.
 *
 * @example
 * ```ts
 * import { parseJsonBounded } from "./json_text.ts";
 * console.log(parseJsonBounded('{"a":[1]}')); // { a: [ 1 ] }
 * ```
 */
export function parseJsonBounded(text: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  if (jsonNestingDepth(text, maxDepth) > maxDepth) {
    throw new SyntaxError(`JSON nesting deeper than ${maxDepth} levels`);
  }
  return JSON.parse(text);
}

/**
 * Parses JSON text like `JSON.parse`, but keeps every number whose text would not survive a
 * round trip through a float (`0.00100000`, `12345678901234567890`) as a raw literal, so that
 * printing it again gives the same digits.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function (_key, value, context?: { source?: string }) {
    if (typeof value === "number" && context?.source !== undefined) {
      if (context.source !== String(value)) return jsonWithRaw.rawJSON(context.source);
    }
    return value;
  });
}

function replaceBigint(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? jsonWithRaw.rawJSON(value.toString()) : value;
}

/**
 * JSON.stringify that writes bigint as an exact integer literal (JSON.stringify throws on
 * bigint) and raw literals from {@linkcode jsonNumber} verbatim.
 *
 * @example
 * ```ts
 * import { stringifyJson } from "./json_text.ts";
 * console.log(stringifyJson({ sats: 2n ** 70n })); // {"sats":1180591620717411303424}
 * ```
 */
export function stringifyJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, replaceBigint, indent);
}
