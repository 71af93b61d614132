/**
 * Control and utility RPC methods: uptime, stop, validateaddress, and on regtest setmocktime.
 * (`help` is the registry's own.)
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { DecodeError } from "../../core/errors.ts";
import { decodeAddress } from "../../core/primitives/address.ts";
import { recoveryKindName } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";
import { parseInteger } from "./params.ts";

/** The control and utility methods. */
export const CONTROL_METHODS: readonly NodeMethod[] = [
  {
    name: "uptime",
    category: "control",
    params: [],
    help: "Returns the total uptime of the server.",
    result: "ttt    (numeric) The number of seconds that the server has been running",
    run: (node) => node.uptimeSecs(),
  },
  {
    name: "stop",
    category: "control",
    params: [],
    help: "Request a graceful shutdown of the node.",
    run: (node) => {
      // Reply first, then stop: the server finishes this request before shutting down.
      setTimeout(() => node.requestStop("RPC stop"), 0);
      return "rnt stopping";
    },
  },
  {
    name: "validateaddress",
    category: "util",
    params: [{
      name: "address",
      type: "string",
      required: true,
      description: "The address to validate",
    }],
    help: "Return information about the given address: its recovery kind and policy hash.",
    run: (node, [address]) => {
      try {
        const a = decodeAddress(node.params, address as string);
        return {
          isvalid: true,
          address,
          recovery_kind: recoveryKindName(a.kind),
          policy_hash: toHex(a.hash),
        };
      } catch (e) {
        if (e instanceof DecodeError) return { isvalid: false, error: e.message };
        throw e;
      }
    },
  },
  {
    name: "setmocktime",
    category: "hidden",
    networks: ["regtest"],
    params: [{
      name: "timestamp",
      type: "number",
      required: true,
      description: "UNIX seconds to pretend it is; 0 returns to the system clock",
    }],
    help: "Set the local time to the given timestamp (regtest only).",
    run: (node, [timestamp]) => {
      node.clock.setMockTime(parseInteger(timestamp, "timestamp", 0, 2 ** 40));
      node.logger.log(`mock time set to ${timestamp}`);
      return null;
    },
  },
];
