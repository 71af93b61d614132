/**
 * Reading the small JSON files the Lightning service keeps beside its channels (peers.json,
 * invoices.json, forwards.json): each is one JSON object whose every value is itself an object,
 * keyed by an id. A missing file means "nothing yet"; a damaged one is refused with an Error
 * naming the file, so a node never starts on half of its data.
 *
 * @module
 */

/**
 * The entries of the JSON object in `path`, or undefined when the file does not exist. Throws an
 * Error naming `path` when the text is not JSON, not an object, or has an entry that is not an
 * object (`<path>: bad entry <key>`); the caller checks each entry's fields.
 *
 * @example
 * ```ts
 * const entries = await readJsonEntries("/tmp/missing.json");
 * // entries === undefined
 * ```
 */
export async function readJsonEntries(
  path: string,
): Promise<[string, Record<string, unknown>][] | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`${path}: not a JSON object`);
  }
  const entries = Object.entries(json as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new Error(`${path}: bad entry ${key}`);
    }
  }
  return entries as [string, Record<string, unknown>][];
}
