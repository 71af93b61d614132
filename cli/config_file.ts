/**
 * `rnt.conf`, the configuration file, read the way Core reads bitcoin.conf: one `key=value` per
 * line (a bare `key` means `key=1`), `#` starts a comment, and `[main]`, `[test]` (or
 * `[testnet]`) and `[regtest]` sections hold settings for one network only. Every long flag of
 * a command can be set there under its own name; flags given on the command line win over the
 * file. The file is `<datadir>/rnt.conf`, or the one named by `--conf`.
 *
 * @module
 */
import { type CommandSpec, COMMON_OPTIONS, type OptionSpec, type ParsedArgs } from "./command.ts";
import { defaultDatadir } from "../rpc/defaults.ts";

/** The name of the configuration file in a data directory. */
export const CONFIG_FILE_NAME = "rnt.conf";

/** Settings read from a configuration file: top level, and per network section. */
export interface ConfigFile {
  /** Settings outside any section, in file order. */
  readonly top: readonly ConfigEntry[];
  /** Settings of `[main]`, `[test]`, `[regtest]`. */
  readonly sections: Readonly<Record<"mainnet" | "testnet" | "regtest", readonly ConfigEntry[]>>;
}

/** One `key=value` line. */
export interface ConfigEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line number, for messages. */
  readonly line: number;
}

const SECTION_NETWORK: Record<string, "mainnet" | "testnet" | "regtest"> = {
  main: "mainnet",
  mainnet: "mainnet",
  test: "testnet",
  testnet: "testnet",
  regtest: "regtest",
};

/**
 * Parses configuration text; throws Error naming `source` and the line for a malformed line or
 * an unknown section.
 *
 * @example
 * ```ts
 * import { parseConfigFile } from "./config_file.ts";
 * const conf = parseConfigFile("rpcuser=ann  # me\n[regtest]\nrpcport=18443\n", "rnt.conf");
 * console.log(conf.top[0]?.value, conf.sections.regtest[0]?.key); // ann rpcport
 * ```
 */
export function parseConfigFile(text: string, source: string): ConfigFile {
  const top: ConfigEntry[] = [];
  const sections = { mainnet: [], testnet: [], regtest: [] } as Record<
    "mainnet" | "testnet" | "regtest",
    ConfigEntry[]
  >;
  let current = top;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/#.*$/, "").trim();
    if (line === "") continue;
    const section = line.match(/^\[([^\]]*)\]$/);
    if (section) {
      const network = SECTION_NETWORK[(section[1] ?? "").trim()];
      if (!network) {
        throw new Error(
          `${source} line ${i + 1}: unknown section '[${section[1]}]' (use [main], [test] or ` +
            "[regtest])",
        );
      }
      current = sections[network];
      continue;
    }
    const eq = line.indexOf("=");
    const key = (eq < 0 ? line : line.slice(0, eq)).trim().replace(/^-+/, "");
    const value = eq < 0 ? "1" : line.slice(eq + 1).trim();
    if (!/^[a-z][a-z0-9-]*$/i.test(key)) {
      throw new Error(`${source} line ${i + 1}: expected key=value, got '${lines[i]?.trim()}'`);
    }
    current.push({ key: key.toLowerCase(), value, line: i + 1 });
  }
  return { top, sections };
}

/** Every long option name declared anywhere in the command tree. */
export function allOptionNames(root: CommandSpec): Set<string> {
  const names = new Set<string>(["conf"]);
  const walk = (spec: CommandSpec) => {
    for (const name of Object.keys(spec.options ?? {})) names.add(name);
    for (const sub of spec.subcommands ?? []) walk(sub);
  };
  walk(root);
  return names;
}

function boolValue(entry: ConfigEntry, source: string): boolean {
  const v = entry.value.toLowerCase();
  if (v === "1" || v === "true" || v === "yes" || v === "") return true;
  if (v === "0" || v === "false" || v === "no") return false;
  throw new Error(`${source} line ${entry.line}: ${entry.key} takes 0 or 1, got '${entry.value}'`);
}

/**
 * Fills in `args` from the configuration file of the command's data directory: every option of
 * `spec` the command line did not set takes the file's value (the network's section first,
 * then the top level). Returns warnings for keys no command knows. Does nothing when the
 * command has no `--datadir` option, or when there is no file and `--conf` was not given.
 */
export async function applyConfigFile(
  spec: CommandSpec,
  args: ParsedArgs,
  known: ReadonlySet<string>,
  home?: string,
): Promise<string[]> {
  if (!spec.options?.datadir) return [];
  const explicit = typeof args.values.conf === "string" ? args.values.conf : undefined;
  const cliNetwork: "regtest" | "testnet" | undefined = args.values.regtest
    ? "regtest"
    : args.values.testnet
    ? "testnet"
    : undefined;
  const datadir = typeof args.values.datadir === "string"
    ? args.values.datadir
    : cliNetwork !== undefined || spec.options.regtest === undefined
    ? defaultDatadir(cliNetwork ?? "mainnet", home)
    : undefined;
  const path = explicit ?? (datadir === undefined ? undefined : `${datadir}/${CONFIG_FILE_NAME}`);
  if (path === undefined) return [];
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound && explicit === undefined) return [];
    throw new Error(`cannot read configuration file ${path}: ${(e as Error).message}`);
  }
  const conf = parseConfigFile(text, path);
  const warnings: string[] = [];
  for (const e of [...conf.top, ...Object.values(conf.sections).flat()]) {
    if (!known.has(e.key)) {
      warnings.push(`${path} line ${e.line}: unknown setting '${e.key}' ignored`);
    }
  }
  // The network: the command line's, else regtest=1 / testnet=1 in the file.
  let network: "regtest" | "testnet" | undefined = cliNetwork;
  if (network === undefined && spec.options.regtest) {
    for (const e of conf.top) {
      if ((e.key === "regtest" || e.key === "testnet") && boolValue(e, path)) {
        network = e.key as "regtest" | "testnet";
      }
    }
  }
  const entries = [
    ...(network === undefined ? conf.sections.mainnet : conf.sections[network]),
    ...conf.top,
  ];
  const options: Record<string, OptionSpec> = { ...spec.options };
  const fromFile = new Map<string, ConfigEntry[]>();
  for (const e of entries) {
    if (!(e.key in options) || e.key in COMMON_OPTIONS || e.key === "conf") continue;
    if (args.values[e.key] !== undefined) continue; // the command line wins
    const list = fromFile.get(e.key) ?? [];
    list.push(e);
    fromFile.set(e.key, list);
  }
  for (const [key, list] of fromFile) {
    const o = options[key]!;
    if (o.type === "boolean") {
      args.values[key] = boolValue(list[0]!, path);
    } else if (o.multiple) {
      args.values[key] = list.map((e) => e.value);
    } else {
      args.values[key] = list[0]!.value; // the network's section comes first
    }
  }
  if (network !== undefined && args.values[network] === undefined) args.values[network] = true;
  return warnings;
}
