/**
 * What an RPC method declares: its parameters (name, JSON type, required, description), its
 * help, and its handler. The dispatcher checks argument count and types from this declaration
 * the way Core's `RPCHelpMan` does, and `help METHOD` prints {@linkcode formatMethodHelp}.
 *
 * @module
 */

/**
 * JSON type a parameter must have. `hex` is a string (its content is the handler's to check,
 * as Core's `STR_HEX`); `amount` is a number or a string; `any` is not checked.
 */
export type RpcParamType =
  | "string"
  | "hex"
  | "number"
  | "amount"
  | "boolean"
  | "object"
  | "array"
  | "any";

/** One parameter of a method, in positional order. */
export interface RpcParam {
  /** Name used for named (object) parameter passing, e.g. `blockhash`. */
  name: string;
  /** The JSON type accepted (null is always accepted for an optional parameter). */
  type: RpcParamType;
  /** Whether a call must supply it. */
  required: boolean;
  /** One line for the help text. */
  description: string;
  /** Shown as `default=…` in the help text of an optional parameter. */
  defaultHint?: string;
}

/** What a handler knows about the call besides its parameters. */
export interface RpcContext {
  /** The user name from the Basic credentials (`__cookie__` for the cookie). */
  authUser: string;
  /** The wallet named by a `/wallet/<name>` endpoint, undefined for `/`. */
  walletName: string | undefined;
  /**
   * Most bytes of reply text this call may still produce (what is left of the request's or
   * batch's limit; set by the dispatcher). A handler that knows in advance its result would be
   * larger should throw −32001 (`RpcCode.REPLY_TOO_LARGE`) before building it.
   */
  maxReplyBytes?: number;
}

/** A registered JSON-RPC method. */
export interface RpcMethod {
  /** The method name, e.g. `getblockcount`. */
  name: string;
  /** Parameters in positional order. */
  params: readonly RpcParam[];
  /** What the method does (a paragraph; the first line of `help` output is generated). */
  help: string;
  /** Group in the `help` listing, e.g. `blockchain` (default `misc`; `hidden` is unlisted). */
  category?: string;
  /** Description of the result for the help text. */
  result?: string;
  /** Example invocations for the help text. */
  examples?: string;
  /**
   * Runs the call. `params` has one entry per declared parameter, in order; an optional
   * parameter that was not given (or given as null) is `undefined`. Throw `RpcError` (from
   * core/errors.ts) with a Core code, e.g. −8 for an invalid parameter; anything else becomes
   * −32603 "Internal error" with no details sent to the client. May return bigint (written as
   * an exact integer) and `jsonNumber(...)` literals.
   */
  handler(params: unknown[], context: RpcContext): unknown;
}

const TYPE_WORDS: Record<RpcParamType, string> = {
  string: "string",
  hex: "string",
  number: "numeric",
  amount: "numeric or string",
  boolean: "boolean",
  object: "json object",
  array: "json array",
  any: "any",
};

function usageWord(param: RpcParam): string {
  return param.type === "string" || param.type === "hex" ? `"${param.name}"` : param.name;
}

/**
 * The first line of a method's help: its name and parameters, optional ones in parentheses,
 * e.g. `getblock "blockhash" ( verbosity )`.
 */
export function formatUsageLine(method: Pick<RpcMethod, "name" | "params">): string {
  let line = method.name;
  let inOptional = false;
  for (const param of method.params) {
    if (!param.required && !inOptional) {
      line += " (";
      inOptional = true;
    }
    line += " " + usageWord(param);
  }
  if (inOptional) line += " )";
  return line;
}

/**
 * The full help text of a method, laid out like Core's:
 * usage line, description, numbered arguments, result, examples.
 *
 * @example
 * ```ts
 * import { formatMethodHelp } from "./method.ts";
 * const text = formatMethodHelp({
 *   name: "getblockhash",
 *   params: [{ name: "height", type: "number", required: true, description: "The height" }],
 *   help: "Returns the hash of the best-chain block at a height.",
 *   handler: () => "00",
 * });
 * console.log(text.split("\n")[0]); // getblockhash height
 * ```
 */
export function formatMethodHelp(method: RpcMethod): string {
  const parts = [formatUsageLine(method), "", method.help.trim()];
  if (method.params.length > 0) {
    const width = Math.max(...method.params.map((p, i) => `${i + 1}. ${p.name}`.length));
    parts.push("", "Arguments:");
    method.params.forEach((p, i) => {
      const left = `${i + 1}. ${p.name}`.padEnd(width + 4);
      const flags = p.required
        ? "required"
        : p.defaultHint !== undefined
        ? `optional, default=${p.defaultHint}`
        : "optional";
      parts.push(`${left}(${TYPE_WORDS[p.type]}, ${flags}) ${p.description}`);
    });
  }
  if (method.result !== undefined) parts.push("", "Result:", method.result.trim());
  if (method.examples !== undefined) parts.push("", "Examples:", method.examples.trim());
  return parts.join("\n");
}
