/**
 * Text form of policies: `or(pk(<64 hex>),and(older(86400),pk(<64 hex>)))`.
 *
 * Grammar (no whitespace; hex is 64 lower-case digits; numbers are decimal without leading
 * zeros): `pk(HEX)`, `multi(K,HEX,…)`, `after(N)`, `older(N)`, `hash(HEX)`, `and(P,P,…)`,
 * `or(P,P,…)`, `thresh(K,P,…)`. {@linkcode formatPolicy} prints exactly this form, and
 * {@linkcode parsePolicy} accepts only it, so text ↔ tree is one-to-one.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { fromHex, toHex } from "../crypto/keccak.ts";
import { type Policy, POLICY_LIMITS, policyProblem } from "./policy.ts";

/**
 * Prints a policy in canonical text form.
 *
 * @example
 * ```ts
 * import { formatPolicy } from "./policy_text.ts";
 * import { and, older, after } from "./policy.ts";
 * console.log(formatPolicy(and(older(60), after(1700000000)))); // "and(older(60),after(1700000000))"
 * ```
 */
export function formatPolicy(policy: Policy): string {
  switch (policy.type) {
    case "pk":
      return `pk(${toHex(policy.key)})`;
    case "multi":
      return `multi(${policy.k},${policy.keys.map(toHex).join(",")})`;
    case "after":
      return `after(${policy.timeSecs})`;
    case "older":
      return `older(${policy.ageSecs})`;
    case "hash":
      return `hash(${toHex(policy.hash)})`;
    case "and":
    case "or":
      return `${policy.type}(${policy.children.map(formatPolicy).join(",")})`;
    case "thresh":
      return `thresh(${policy.k},${policy.children.map(formatPolicy).join(",")})`;
  }
}

/** Longest text accepted (bounds work before parsing). */
const MAX_TEXT = 8192;

/**
 * Parses the canonical text form; DecodeError on bad syntax, a non-canonical number or hex, or
 * a policy that breaks a shape rule or limit.
 *
 * @example
 * ```ts
 * import { parsePolicy, formatPolicy } from "./policy_text.ts";
 * console.log(formatPolicy(parsePolicy("or(older(10),after(20))"))); // "or(older(10),after(20))"
 * ```
 */
export function parsePolicy(text: string): Policy {
  if (text.length > MAX_TEXT) throw new DecodeError(`Policy text longer than ${MAX_TEXT}`);
  const parser = new Parser(text);
  const p = parser.node(1);
  if (parser.pos !== text.length) parser.fail("trailing characters");
  const problem = policyProblem(p);
  if (problem) throw new DecodeError(`Invalid policy: ${problem}`);
  return p;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new DecodeError(`Cannot parse policy at ${this.pos}: ${what}`);
  }

  expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  peek(ch: string): boolean {
    return this.text[this.pos] === ch;
  }

  name(): string {
    const m = /^[a-z]+/.exec(this.text.slice(this.pos, this.pos + 8));
    if (!m) this.fail("expected a node name");
    this.pos += m[0].length;
    return m[0];
  }

  number(): number {
    const m = /^(0|[1-9][0-9]{0,15})/.exec(this.text.slice(this.pos, this.pos + 17));
    if (!m) this.fail("expected a decimal number");
    this.pos += m[0].length;
    const v = Number(m[0]);
    if (!Number.isSafeInteger(v)) this.fail("number too large");
    return v;
  }

  hex32(): Uint8Array {
    const s = this.text.slice(this.pos, this.pos + 64);
    if (!/^[0-9a-f]{64}$/.test(s)) this.fail("expected 64 lower-case hex digits");
    this.pos += 64;
    return fromHex(s);
  }

  node(depth: number): Policy {
    if (depth > POLICY_LIMITS.maxDepth) this.fail("policy too deep");
    const name = this.name();
    this.expect("(");
    let p: Policy;
    switch (name) {
      case "pk":
        p = { type: "pk", key: this.hex32() };
        break;
      case "hash":
        p = { type: "hash", hash: this.hex32() };
        break;
      case "after":
        p = { type: "after", timeSecs: this.number() };
        break;
      case "older":
        p = { type: "older", ageSecs: this.number() };
        break;
      case "multi": {
        const k = this.number();
        const keys: Uint8Array[] = [];
        while (this.peek(",")) {
          this.pos++;
          if (keys.length >= POLICY_LIMITS.maxMultiKeys) this.fail("too many multi() keys");
          keys.push(this.hex32());
        }
        p = { type: "multi", k, keys };
        break;
      }
      case "and":
      case "or":
      case "thresh": {
        const k = name === "thresh" ? this.number() : 0;
        const children: Policy[] = [];
        if (name !== "thresh") children.push(this.node(depth + 1));
        while (this.peek(",")) {
          this.pos++;
          if (children.length >= POLICY_LIMITS.maxChildren) this.fail("too many children");
          children.push(this.node(depth + 1));
        }
        p = name === "thresh"
          ? { type: "thresh", k, children }
          : { type: name === "and" ? "and" : "or", children };
        break;
      }
      default:
        this.fail(`unknown node '${name}'`);
    }
    this.expect(")");
    return p;
  }
}
