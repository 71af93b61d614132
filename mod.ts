/**
 * Library surface of rnt: the parts other programs may build on. The CLI (`main.ts`) uses the
 * same exports.
 *
 * @example
 * ```ts
 * import { keccak256d, toHex } from "./mod.ts";
 * console.log(toHex(keccak256d(new Uint8Array())));
 * ```
 *
 * @module
 */
export { fromHex, keccak256, keccak256d, toHex } from "./core/crypto/keccak.ts";
export {
  DecodeError,
  ProtocolError,
  RpcError,
  UsageError,
  ValidationError,
} from "./core/errors.ts";
export { type GpuContext, requestGpu } from "./gpu/device.ts";
