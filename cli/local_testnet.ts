/**
 * `deno task testnet-local`: a local multi-node network on one machine. Starts N `rnt node`
 * processes, each with its own data directory and ports; node 0 mines, the others join it with
 * `--addnode` and sync every block it finds. Their output is shown with a `[nodeI]` prefix;
 * Ctrl-C stops them all. The same commands, typed by hand in N terminals, build the same network
 * (the README's "Running a local testnet" shows them).
 *
 * Flags: `--nodes N` (default 3), `--dir DIR` (default ./.rnt-localnet), `--base-port P`
 * (default 39555: node I listens on P+2I, RPC on P+2I+1), `--testnet` (the test network's rules
 * and model instead of regtest's: much slower blocks), `--data FILE` (node 0's training data).
 *
 * @module
 */
import { parseArgs } from "node:util";

/** One node of the local network. */
export interface LocalNode {
  /** Index (0 mines). */
  readonly index: number;
  readonly datadir: string;
  readonly port: number;
  readonly rpcPort: number;
  /** `rnt` arguments that start it. */
  readonly args: string[];
}

/** The nodes of a local network: node 0 mines, every other one joins it with --addnode. */
export function localNetwork(options: {
  nodes: number;
  dir: string;
  basePort: number;
  network: "regtest" | "testnet";
  data?: string;
}): LocalNode[] {
  const out: LocalNode[] = [];
  for (let i = 0; i < options.nodes; i++) {
    const datadir = `${options.dir}/node${i}`;
    const port = options.basePort + 2 * i;
    const rpcPort = port + 1;
    const args = [
      "node",
      `--${options.network}`,
      "--datadir",
      datadir,
      "--port",
      String(port),
      "--rpcport",
      String(rpcPort),
      "--listen",
      "127.0.0.1",
    ];
    if (i === 0) {
      args.push("--mine");
      if (options.data) args.push("--data", options.data);
    } else {
      args.push("--addnode", `127.0.0.1:${options.basePort}`);
    }
    out.push({ index: i, datadir, port, rpcPort, args });
  }
  return out;
}

async function pipeLines(
  stream: ReadableStream<Uint8Array>,
  prefix: string,
  write: (line: string) => void,
): Promise<void> {
  let buffer = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) write(`${prefix} ${line}`);
  }
  if (buffer) write(`${prefix} ${buffer}`);
}

/** Runs the network until SIGINT/SIGTERM; returns the exit status. */
export async function runLocalTestnet(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: "string", default: "3" },
      dir: { type: "string", default: "./.rnt-localnet" },
      "base-port": { type: "string", default: "39555" },
      testnet: { type: "boolean", default: false },
      data: { type: "string" },
    },
    strict: true,
  });
  const nodes = Number(values.nodes);
  const basePort = Number(values["base-port"]);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20) {
    console.error("error: --nodes must be 1-20");
    return 2;
  }
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + 2 * nodes > 65535) {
    console.error("error: --base-port must leave room for 2 ports per node below 65536");
    return 2;
  }
  const network = values.testnet ? "testnet" : "regtest";
  const main = new URL("../main.ts", import.meta.url).pathname;
  const plan = localNetwork({
    nodes,
    dir: values.dir,
    basePort,
    network,
    ...(values.data ? { data: values.data } : {}),
  });
  console.log(`local ${network} network of ${nodes} node(s) in ${values.dir} (Ctrl-C stops all):`);
  for (const n of plan) console.log(`  node${n.index}: rnt ${n.args.join(" ")}`);
  console.log(
    `ask any node: deno task rnt cli --${network} --datadir ${plan[0]!.datadir} ` +
      `--rpcport ${plan[0]!.rpcPort} getpeerinfo`,
  );
  const children = plan.map((n) => {
    Deno.mkdirSync(n.datadir, { recursive: true });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-ffi",
        main,
        ...n.args,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const prefix = `[node${n.index}]`;
    const pipes = Promise.all([
      pipeLines(child.stdout, prefix, (l) => console.log(l)),
      pipeLines(child.stderr, prefix, (l) => console.error(l)),
    ]);
    return { child, pipes };
  });
  const stop = () => {
    for (const { child } of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
    }
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const statuses = await Promise.all(children.map(async ({ child, pipes }) => {
    const status = await child.status;
    await pipes;
    return status.code;
  }));
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  const failed = statuses.filter((c) => c !== 0).length;
  console.log(`local network stopped${failed ? `: ${failed} node(s) failed` : ""}`);
  return failed ? 1 : 0;
}

if (import.meta.main) {
  Deno.exitCode = await runLocalTestnet(Deno.args);
}
