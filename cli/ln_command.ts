/**
 * `rnt ln decode|invoice`: Lightning invoices from the command line, without a running node.
 * `decode` checks an invoice as a payer would (checksum, network, signature, expiry) and prints
 * its fields; `invoice` signs one with the node key (`DATADIR/node.key`, or `--key-file`).
 *
 * @module
 */
import {
  type CommandContext,
  type CommandSpec,
  DATADIR_OPTION,
  intFlag,
  JSON_OPTION,
  NETWORK_OPTIONS,
  networkFlag,
  type ParsedArgs,
  stringFlag,
} from "./command.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { UsageError } from "../core/errors.ts";
import {
  decodeInvoice,
  DEFAULT_EXPIRY_SECS,
  DEFAULT_MIN_FINAL_DELTA_SECS,
  encodeInvoice,
  formatRntMilliResonances,
  type Invoice,
  InvoiceError,
  parseRntMilliResonances,
  paymentHashOf,
} from "../core/lightning/mod.ts";
import { NODE_KEY_FILE } from "../net/connman/node_key.ts";
import { defaultDatadir } from "../rpc/defaults.ts";
import { LN_CHANNEL_SUBCOMMANDS } from "./ln_channel_command.ts";

const FLAG_OF_NETWORK = { mainnet: "no network flag", testnet: "--testnet", regtest: "--regtest" };

/** Runs `rnt ln decode INVOICE [--regtest|--testnet] [--json]`. */
export function runLnDecodeCommand(args: ParsedArgs, ctx: CommandContext): number {
  const network = networkFlag(args);
  if (args.positionals.length !== 1) throw new UsageError("give exactly one INVOICE to decode");
  let invoice: Invoice;
  try {
    invoice = decodeInvoice(args.positionals[0]!, {
      network,
      nowSecs: Math.floor(Date.now() / 1000),
    });
  } catch (e) {
    if (!(e instanceof InvoiceError)) throw e;
    const hint = e.reason === "wrong-network"
      ? ` (decode it with ${FLAG_OF_NETWORK[decodeInvoice(args.positionals[0]!).network]})`
      : "";
    ctx.err(`error: invalid invoice: ${e.message}${hint}`);
    return 1;
  }
  const json = invoiceJson(invoice);
  if (args.values.json === true) {
    ctx.out(JSON.stringify(json, null, 2));
    return 0;
  }
  const amount = invoice.amountMilliResonances === undefined
    ? "any (the payer chooses)"
    : `${json.amount_rnt} RNT (${json.amount_milli_resonances} milli-resonances)`;
  const rows: [string, string][] = [
    ["network", invoice.network],
    ["amount", amount],
    ["description", invoice.description],
    ["payment hash", json.payment_hash],
    ["payment secret", json.payment_secret],
    ["payee", json.payee_key],
    ["created", json.created_at],
    ["expires", `${json.expires_at} (${invoice.expirySecs} s)`],
    ["min final delta", `${invoice.minFinalDeltaSecs} s`],
  ];
  invoice.routeHints.forEach((route, i) => {
    const hops = route.map((h) =>
      `${toHex(h.nodeId)} via ${toHex(h.channelId)} (fee ${h.feeBaseMilliResonances} mres + ` +
      `${h.feeProportionalMillionths} ppm, delta ${h.deltaSecs} s)`
    );
    rows.push([`route hint ${i + 1}`, hops.join("\n" + " ".repeat(19))]);
  });
  if (invoice.features.length) rows.push(["features", invoice.features.join(", ")]);
  for (const [label, value] of rows) ctx.out(`${(label + ":").padEnd(18)} ${value}`);
  return 0;
}

/**
 * Runs `rnt ln invoice --description TEXT [--amount RNT] [--expiry S] [--min-final-delta S]
 * [--preimage HEX] [--key-file F | --datadir DIR] [--regtest|--testnet] [--json]`.
 */
export async function runLnInvoiceCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const network = networkFlag(args);
  const description = stringFlag(args, "description", true);
  const amountText = stringFlag(args, "amount");
  let amount: bigint | undefined;
  if (amountText !== undefined) {
    try {
      amount = parseRntMilliResonances(amountText);
    } catch (e) {
      throw new UsageError(`--amount: ${(e as Error).message}`);
    }
    if (amount === 0n) {
      throw new UsageError("--amount must be more than 0 (omit it for any amount)");
    }
  }
  const expirySecs = intFlag(args, "expiry", DEFAULT_EXPIRY_SECS, 1, 0xffffffff);
  const minFinalDeltaSecs = intFlag(
    args,
    "min-final-delta",
    DEFAULT_MIN_FINAL_DELTA_SECS,
    0,
    0xffffffff,
  );
  const preimageHex = stringFlag(args, "preimage");
  if (preimageHex !== undefined && !/^[0-9a-fA-F]{64}$/.test(preimageHex)) {
    throw new UsageError("--preimage must be 32 bytes of hex (64 characters)");
  }
  const preimage = preimageHex ? fromHex(preimageHex) : crypto.getRandomValues(new Uint8Array(32));
  const keyFile = stringFlag(args, "key-file") ??
    `${stringFlag(args, "datadir") ?? defaultDatadir(network)}/${NODE_KEY_FILE}`;
  const seed = await readSeedFile(keyFile);
  const paymentHash = paymentHashOf(preimage);
  const text = encodeInvoice({
    network,
    ...(amount === undefined ? {} : { amountMilliResonances: amount }),
    timestamp: Math.floor(Date.now() / 1000),
    paymentHash,
    paymentSecret: crypto.getRandomValues(new Uint8Array(32)),
    description,
    expirySecs,
    minFinalDeltaSecs,
  }, seed);
  if (args.values.json === true) {
    ctx.out(JSON.stringify(
      { invoice: text, payment_hash: toHex(paymentHash), preimage: toHex(preimage) },
      null,
      2,
    ));
  } else {
    ctx.out(text);
    ctx.err(`payment hash: ${toHex(paymentHash)}`);
    ctx.err(`preimage:     ${toHex(preimage)}`);
  }
  ctx.err("Keep the preimage secret: revealing it is what claims the payment.");
  return 0;
}

/** Reads a 32-byte hex seed file (the format of `DATADIR/node.key`). */
async function readSeedFile(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`no node key at ${path} (start the node once, or pass --key-file)`);
    }
    throw e;
  }
  const hex = text.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${path} does not hold a 32-byte hex seed`);
  return fromHex(hex);
}

/** The `--json` form of a decoded invoice: snake_case, bytes as hex, amounts as strings. */
function invoiceJson(invoice: Invoice) {
  const iso = (secs: number) => new Date(secs * 1000).toISOString();
  const amount = invoice.amountMilliResonances;
  return {
    network: invoice.network,
    amount_rnt: amount === undefined ? null : formatRntMilliResonances(amount),
    amount_milli_resonances: amount === undefined ? null : amount.toString(),
    description: invoice.description,
    payment_hash: toHex(invoice.paymentHash),
    payment_secret: toHex(invoice.paymentSecret),
    payee_key: toHex(invoice.payeeKey),
    timestamp: invoice.timestamp,
    created_at: iso(invoice.timestamp),
    expiry_secs: invoice.expirySecs,
    expires_at: iso(invoice.timestamp + invoice.expirySecs),
    min_final_delta_secs: invoice.minFinalDeltaSecs,
    route_hints: invoice.routeHints.map((route) =>
      route.map((h) => ({
        node_id: toHex(h.nodeId),
        channel_id: toHex(h.channelId),
        fee_base_milli_resonances: h.feeBaseMilliResonances,
        fee_proportional_millionths: h.feeProportionalMillionths,
        delta_secs: h.deltaSecs,
      }))
    ),
    features: invoice.features,
    signature: toHex(invoice.signature),
  };
}

/** `rnt ln`: Lightning sub-commands (channels, payments, invoices, gossip, channel backups). */
export const LN_COMMAND: CommandSpec = {
  name: "ln",
  summary: "Lightning: channels, payments, invoices, gossip and channel backups",
  usage:
    "ln info|connect|open|addinvoice|pay|channels|graph|close|forceclose|backup|restore … [--json]\n" +
    "ln decode INVOICE [--regtest|--testnet] [--json]\n" +
    "ln invoice --description TEXT [--amount RNT] [--regtest|--testnet] [--json]",
  subcommands: [
    ...LN_CHANNEL_SUBCOMMANDS,
    {
      name: "decode",
      summary: "Check an invoice (checksum, network, signature, expiry) and show its fields",
      usage: "ln decode INVOICE [--regtest|--testnet] [--json]",
      details: "An invoice is refused with the reason: a bad checksum, another network, a\n" +
        "signature that does not match its payee key (n), or an expiry in the past.",
      options: { ...NETWORK_OPTIONS, ...JSON_OPTION },
      positionals: true,
      run: runLnDecodeCommand,
    },
    {
      name: "invoice",
      summary: "Create an invoice signed by this node's key",
      usage: "ln invoice --description TEXT [--amount RNT] [--expiry S] [--min-final-delta S]\n" +
        "  [--preimage HEX] [--key-file F] [--datadir DIR] [--regtest|--testnet] [--json]",
      details: "Prints the invoice on stdout, and the payment hash and preimage on stderr\n" +
        "(all three in --json). The preimage is random unless --preimage gives one.",
      options: {
        ...NETWORK_OPTIONS,
        ...DATADIR_OPTION,
        ...JSON_OPTION,
        description: { type: "string", valueName: "TEXT", description: "What the payment is for" },
        amount: {
          type: "string",
          valueName: "RNT",
          description: "Amount in RNT, up to 11 decimals (omit: any amount)",
        },
        expiry: {
          type: "string",
          valueName: "S",
          description: `Seconds the invoice stays payable (default ${DEFAULT_EXPIRY_SECS})`,
        },
        "min-final-delta": {
          type: "string",
          valueName: "S",
          description:
            `Smallest final timelock delta in seconds (default ${DEFAULT_MIN_FINAL_DELTA_SECS})`,
        },
        preimage: { type: "string", valueName: "HEX", description: "32-byte payment preimage" },
        "key-file": {
          type: "string",
          valueName: "F",
          description: `Hex Ed25519 seed of the payee (default DATADIR/${NODE_KEY_FILE})`,
        },
      },
      run: runLnInvoiceCommand,
    },
  ],
};
