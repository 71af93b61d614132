import { hexToBytes } from "@noble/hashes/utils.js";

/** One row of `testdata/bip324_packet_vectors.csv`, the columns the tests use. */
export interface Bip324Vector {
  index: number;
  initiating: boolean;
  contents: Uint8Array;
  aad: Uint8Array;
  ignore: boolean;
  sharedSecret: Uint8Array;
  initiatorL: Uint8Array;
  initiatorP: Uint8Array;
  responderL: Uint8Array;
  responderP: Uint8Array;
  sessionId: Uint8Array;
  ciphertext: Uint8Array;
  ciphertextEndsWith: Uint8Array;
}

/** Reads the BIP324 packet-encoding vectors kept beside the tests. */
export async function loadBip324Vectors(): Promise<Bip324Vector[]> {
  const text = await Deno.readTextFile(
    new URL("./testdata/bip324_packet_vectors.csv", import.meta.url),
  );
  const [header, ...rows] = text.trim().split("\n");
  const names = header!.split(",");
  return rows.map((row) => {
    const cells = row.split(",");
    const get = (name: string) => {
      const at = names.indexOf(name);
      if (at < 0) throw new Error(`Missing column ${name}`);
      return cells[at]!;
    };
    const piece = hexToBytes(get("in_content"));
    const times = Number(get("in_multiply"));
    const contents = new Uint8Array(piece.length * times);
    for (let i = 0; i < times; i++) contents.set(piece, i * piece.length);
    return {
      index: Number(get("in_idx")),
      initiating: get("in_initiating") === "1",
      contents,
      aad: hexToBytes(get("in_aad")),
      ignore: get("in_ignore") === "1",
      sharedSecret: hexToBytes(get("mid_shared_secret")),
      initiatorL: hexToBytes(get("mid_initiator_l")),
      initiatorP: hexToBytes(get("mid_initiator_p")),
      responderL: hexToBytes(get("mid_responder_l")),
      responderP: hexToBytes(get("mid_responder_p")),
      sessionId: hexToBytes(get("mid_session_id")),
      ciphertext: hexToBytes(get("out_ciphertext")),
      ciphertextEndsWith: hexToBytes(get("out_ciphertext_endswith")),
    };
  });
}
