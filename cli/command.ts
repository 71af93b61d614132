/**
 * A small declarative command-line layer over `node:util` `parseArgs`: every command declares
 * its options once, and gets strict parsing (unknown flags are usage errors), `--help` and a
 * generated usage text from the same declaration.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "../core/errors.ts";
import { closestWord } from "./suggest.ts";

/** One flag of a command. */
export interface OptionSpec {
  /** `boolean` flags take no value; `string` flags take one (`--x v` or `--x=v`). */
  type: "boolean" | "string";
  /** One-letter alias. */
  short?: string;
  /** Shown in `--help`. */
  description: string;
  /** Placeholder for the value in help, e.g. `FILE`. */
  valueName?: string;
  /** May be given several times (values collected in an array). */
  multiple?: boolean;
  /**
   * A `string` flag whose value is optional: `--x=v` gives "v", a bare `--x` gives "" (it never
   * takes the next argument as its value).
   */
  optionalValue?: boolean;
}

/** Parsed flags and positionals handed to a command. */
export interface ParsedArgs {
  /** Flag values by long name. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Arguments that are not flags, in order. */
  positionals: string[];
}

/** A command or sub-command of `rnt`. */
export interface CommandSpec {
  /** The word that selects it, e.g. `node`. */
  name: string;
  /** One line for the command overview. */
  summary: string;
  /** Usage line(s) after `rnt`, e.g. `node [--regtest|--testnet] [--datadir DIR]`. */
  usage: string;
  /** Extra paragraphs for `--help`. */
  details?: string;
  /** Flags accepted (besides `--help`). */
  options?: Record<string, OptionSpec>;
  /** Sub-commands, e.g. `model info`. */
  subcommands?: CommandSpec[];
  /** Whether free positionals are allowed (default false: any is a usage error). */
  positionals?: boolean;
  /** Runs the command; returns the process exit code. */
  run?: (args: ParsedArgs, context: CommandContext) => Promise<number> | number;
}

/** What a running command may use for output. */
export interface CommandContext {
  /** Writes a line to standard output. */
  out: (line: string) => void;
  /** Writes a line to standard error. */
  err: (line: string) => void;
  /** The command path, e.g. ["model", "train"], for messages. */
  path: string[];
}

/** Options every command accepts. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "Show this help and exit" },
};

/** Network selection flags shared by commands that talk to a network. */
export const NETWORK_OPTIONS: Record<string, OptionSpec> = {
  regtest: { type: "boolean", description: "Use the regtest network (tiny model, local tests)" },
  testnet: { type: "boolean", description: "Use the test network" },
};

/** The `--datadir` flag of every command that finds a node's data directory. */
export const DATADIR_OPTION: Record<string, OptionSpec> = {
  datadir: {
    type: "string",
    valueName: "DIR",
    description: "Data directory (default ~/.rnt/<network>)",
  },
  conf: {
    type: "string",
    valueName: "FILE",
    description: "Configuration file (default DATADIR/rnt.conf; any long flag as key=value)",
  },
};

/** The flags of commands that call a node's JSON-RPC (`rnt cli`, `rnt mine`, `rnt wallet`). */
export const RPC_CLIENT_OPTIONS: Record<string, OptionSpec> = {
  rpcconnect: {
    type: "string",
    valueName: "HOST",
    description: "Node RPC host (default 127.0.0.1)",
  },
  rpcport: { type: "string", valueName: "PORT", description: "Node RPC port" },
  rpcuser: { type: "string", valueName: "USER", description: "RPC user (rpcauth)" },
  rpcpassword: { type: "string", valueName: "PASS", description: "RPC password" },
};

/** The `--json` flag for commands that print results. */
export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "Print the result as one JSON document on stdout" },
};

/** Parses `argv` against `spec`'s options; throws UsageError on an unknown or malformed flag. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<
    string,
    { type: "boolean" | "string"; short?: string; multiple?: boolean }
  > = {};
  for (const [name, o] of Object.entries({ ...COMMON_OPTIONS, ...spec.options })) {
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  const allOptions: Record<string, OptionSpec> = { ...COMMON_OPTIONS, ...spec.options };
  const end = argv.indexOf("--");
  const args = argv.map((raw, i) => {
    if (end >= 0 && i >= end) return raw;
    // A negative number is a value, not a flag (`rnt cli getblockhash -1`).
    if (NEGATIVE_NUMBER.test(raw)) return NEGATIVE_MARK + raw;
    // Bitcoin's single-dash long flags: `-regtest`, `-datadir=DIR` mean `--regtest`, ….
    const a = /^-[A-Za-z][A-Za-z0-9-]+(=.*)?$/s.test(raw) ? `-${raw}` : raw;
    const name = a.startsWith("--") ? a.slice(2).split("=")[0] ?? "" : "";
    return allOptions[name]?.optionalValue && !a.includes("=") ? `${a}=` : a;
  });
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(cleanParseError(e, Object.keys(allOptions)));
  }
  const unmark = (v: string) => v.startsWith(NEGATIVE_MARK) ? v.slice(NEGATIVE_MARK.length) : v;
  const values: ParsedArgs["values"] = {};
  for (const [k, v] of Object.entries(parsed.values)) {
    values[k] = typeof v === "string"
      ? unmark(v)
      : Array.isArray(v)
      ? v.map((x) => String(x)).map(unmark)
      : v;
  }
  const positionals = parsed.positionals.map(unmark);
  if (!values.help && !spec.positionals && positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}'`);
  }
  return { values, positionals };
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;
/** Hides a negative number from parseArgs (a leading NUL never starts a real argument). */
const NEGATIVE_MARK = "\u0000";

function cleanParseError(e: unknown, known: readonly string[]): string {
  const message = e instanceof Error ? e.message : String(e);
  // node's messages are long and mention "parseArgs"; keep the first sentence.
  const unknown = message.match(/Unknown option '([^']+)'/);
  if (unknown) {
    const flag = unknown[1] ?? "";
    const near = flag.startsWith("--") ? closestWord(flag.slice(2), known) : undefined;
    return `unknown option '${flag}'` + (near ? ` (did you mean '--${near}'?)` : "");
  }
  const missing = message.match(/Option '([^']+)'.*argument missing/);
  if (missing) return `option '${missing[1]}' needs a value`;
  return (message.split(". ")[0] ?? "").replace(/^TypeError \[[A-Z_]+\]: /, "");
}

/** Formats `rnt <path> --help` text for a command. */
export function formatHelp(spec: CommandSpec, path: string[]): string {
  const lines: string[] = [];
  const command = ["rnt", ...path].join(" ");
  lines.push(`${command} — ${spec.summary}`, "");
  lines.push("Usage:");
  // A usage line that starts with spaces continues the one above (no second "rnt").
  for (const u of spec.usage.split("\n")) {
    lines.push(/^\s/.test(u) ? `        ${u.trimStart()}` : `  rnt ${u}`);
  }
  if (spec.details) lines.push("", spec.details);
  if (spec.subcommands?.length) {
    lines.push("", "Commands:");
    const width = Math.max(...spec.subcommands.map((s) => s.name.length));
    for (const s of spec.subcommands) lines.push(`  ${s.name.padEnd(width)}  ${s.summary}`);
    lines.push("", `Run '${command} COMMAND --help' for a command's options.`);
  }
  const options = { ...spec.options, ...COMMON_OPTIONS };
  const entries = Object.entries(options).map(([name, o]): [string, string] => {
    const value = o.optionalValue
      ? `[=${o.valueName ?? "VALUE"}]`
      : o.type === "string"
      ? ` ${o.valueName ?? "VALUE"}`
      : "";
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${value}`;
    return [flag, o.description + (o.multiple ? " (repeatable)" : "")];
  });
  if (entries.length) {
    lines.push("", "Options:");
    const width = Math.max(...entries.map(([f]) => f.length));
    for (const [f, d] of entries) lines.push(`  ${f.padEnd(width)}  ${d}`);
  }
  return lines.join("\n");
}

/**
 * Finds the (sub)command named by the leading words of `argv` and runs it: `--help` prints help,
 * usage errors print the message and the usage and return 2. `beforeRun` may complete the
 * parsed flags (the configuration file) and returns warnings to print.
 */
export async function runCommandTree(
  root: CommandSpec,
  argv: string[],
  context: Omit<CommandContext, "path">,
  beforeRun?: (spec: CommandSpec, args: ParsedArgs) => Promise<string[]>,
): Promise<number> {
  let spec = root;
  const path: string[] = [];
  let rest = argv;
  // `rnt help [COMMAND…]` is `rnt [COMMAND…] --help`.
  if (rest[0] === "help" && !root.subcommands?.some((s) => s.name === "help")) {
    rest = [...rest.slice(1), "--help"];
  }
  for (let word = rest[0]; spec.subcommands?.length && word !== undefined; word = rest[0]) {
    if (word.startsWith("-")) break;
    const next = spec.subcommands.find((s) => s.name === word);
    if (!next) {
      const near = closestWord(word, spec.subcommands.map((s) => s.name));
      context.err(
        `error: unknown command '${[...path, word].join(" ")}'` +
          (near ? ` (did you mean '${[...path, near].join(" ")}'?)` : ""),
      );
      context.err(usageLine(spec, path));
      return 2;
    }
    spec = next;
    path.push(next.name);
    rest = rest.slice(1);
  }
  try {
    const args = parseCommandArgs(spec, rest);
    if (args.values.help) {
      context.out(formatHelp(spec, path));
      return 0;
    }
    // e.g. the configuration file filling in flags the command line left out.
    if (spec.run && beforeRun) {
      for (const warning of await beforeRun(spec, args)) context.err(`warning: ${warning}`);
    }
    if (!spec.run) {
      if (spec.subcommands?.length) {
        context.err(`error: '${["rnt", ...path].join(" ")}' needs a command`);
        context.err(usageLine(spec, path));
        return 2;
      }
      context.err(`error: 'rnt ${path.join(" ")}' is not implemented yet`);
      return 1;
    }
    return await spec.run(args, { ...context, path });
  } catch (e) {
    if (e instanceof UsageError) {
      context.err(`error: ${e.message}`);
      context.err(usageLine(spec, path));
      return 2;
    }
    // Anything else is a failure of the work itself (unreadable file, bad checkpoint, node
    // unreachable): say what failed, without a stack trace, and exit 1.
    context.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function usageLine(spec: CommandSpec, path: string[]): string {
  const first = spec.usage.split("\n")
    .map((u) => /^\s/.test(u) ? `    ${u.trimStart()}` : `rnt ${u}`)
    .join("\n       ");
  return `usage: ${first}\nRun '${["rnt", ...path].join(" ")} --help' for more.`;
}

/** Reads a string flag, or throws UsageError when it is required and absent. */
export function stringFlag(args: ParsedArgs, name: string, required: true): string;
export function stringFlag(args: ParsedArgs, name: string, required?: false): string | undefined;
export function stringFlag(args: ParsedArgs, name: string, required = false): string | undefined {
  const v = args.values[name];
  if (v === undefined) {
    if (required) throw new UsageError(`missing required option --${name}`);
    return undefined;
  }
  if (typeof v !== "string") throw new UsageError(`option --${name} needs a value`);
  return v;
}

/** Reads an integer flag within [min, max], or its default. */
export function intFlag(
  args: ParsedArgs,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v)) throw new UsageError(`--${name} must be an integer, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}

/** Reads a floating-point flag within [min, max], or its default. */
export function numberFlag(
  args: ParsedArgs,
  name: string,
  fallback: number,
  min = -Infinity,
  max = Infinity,
): number {
  const v = stringFlag(args, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n)) {
    throw new UsageError(`--${name} must be a number, got '${v}'`);
  }
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}

/** The network selected by `--regtest` / `--testnet` (mainnet when neither). */
export function networkFlag(args: ParsedArgs): "mainnet" | "testnet" | "regtest" {
  if (args.values.regtest && args.values.testnet) {
    throw new UsageError("choose one of --regtest and --testnet");
  }
  return args.values.regtest ? "regtest" : args.values.testnet ? "testnet" : "mainnet";
}
