/**
 * The table of RPC methods: registration, lookup, the warm-up flag, and the built-in
 * `help [command]` method with Core's listing layout.
 *
 * @module
 */
import { formatMethodHelp, formatUsageLine, type RpcMethod } from "./method.ts";

const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** Options for {@linkcode RpcRegistry}. */
export interface RpcRegistryOptions {
  /** Register the built-in `help` method (default true). */
  help?: boolean;
}

/**
 * A set of RPC methods, looked up by exact name.
 *
 * @example
 * ```ts
 * import { RpcRegistry } from "./registry.ts";
 * const registry = new RpcRegistry();
 * registry.register({ name: "ping", params: [], help: "Replies null.", handler: () => null });
 * console.log(registry.get("ping")?.name, registry.has("help")); // ping true
 * ```
 */
export class RpcRegistry {
  #methods = new Map<string, RpcMethod>();
  #warmup: string | null = null;

  constructor(options: RpcRegistryOptions = {}) {
    if (options.help !== false) this.register(helpMethod(this));
  }

  /** Adds a method; throws TypeError on a duplicate or malformed name or parameter list. */
  register(method: RpcMethod): this {
    if (!NAME.test(method.name)) throw new TypeError(`Invalid RPC method name '${method.name}'`);
    if (this.#methods.has(method.name)) {
      throw new TypeError(`RPC method '${method.name}' is already registered`);
    }
    const seen = new Set<string>();
    for (const param of method.params) {
      if (!NAME.test(param.name) || param.name === "args") {
        throw new TypeError(`Invalid parameter name '${param.name}' in '${method.name}'`);
      }
      if (seen.has(param.name)) {
        throw new TypeError(`Duplicate parameter '${param.name}' in '${method.name}'`);
      }
      seen.add(param.name);
    }
    this.#methods.set(method.name, method);
    return this;
  }

  /** The method called `name`, or undefined. */
  get(name: string): RpcMethod | undefined {
    return this.#methods.get(name);
  }

  /** Whether a method called `name` is registered. */
  has(name: string): boolean {
    return this.#methods.has(name);
  }

  /** All methods, sorted by category then name (the `help` order). */
  list(): RpcMethod[] {
    const key = (m: RpcMethod) => `${m.category ?? "misc"}\u0000${m.name}`;
    return [...this.#methods.values()].sort((a, b) => key(a) < key(b) ? -1 : 1);
  }

  /**
   * While set, every call fails with −28 and this message (Core's "RPC in warm-up"), e.g.
   * "Loading block index…"; null ends warm-up.
   */
  setWarmup(status: string | null): void {
    this.#warmup = status;
  }

  /** The warm-up message, or null once the node is ready. */
  get warmupStatus(): string | null {
    return this.#warmup;
  }

  /**
   * Help text as Core's `help`: with no command, every listed method's usage line grouped by
   * `== Category ==`; with a command, its full help; otherwise `help: unknown command: X`.
   */
  helpText(command = ""): string {
    if (command !== "") {
      const method = this.#methods.get(command);
      return method ? formatMethodHelp(method) : `help: unknown command: ${command}`;
    }
    const lines: string[] = [];
    let category: string | undefined;
    for (const method of this.list()) {
      const group = method.category ?? "misc";
      if (group === "hidden") continue;
      if (group !== category) {
        if (category !== undefined) lines.push("");
        category = group;
        lines.push(`== ${group.charAt(0).toUpperCase()}${group.slice(1)} ==`);
      }
      lines.push(formatUsageLine(method));
    }
    return lines.join("\n");
  }
}

function helpMethod(registry: RpcRegistry): RpcMethod {
  return {
    name: "help",
    category: "control",
    params: [{
      name: "command",
      type: "string",
      required: false,
      description: "The command to get help on",
      defaultHint: "all commands",
    }],
    help: "List all commands, or get help for a specified command.",
    result: '"text"    (string) The help text',
    examples: "> rnt cli help\n> rnt cli help getblockcount",
    handler: ([command]) => registry.helpText(typeof command === "string" ? command : ""),
  };
}
