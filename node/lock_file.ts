/**
 * The data-directory lock: `<datadir>/.lock`, held with an exclusive OS file lock (flock) for the
 * life of the node, so a second node on the same datadir refuses to start. The OS drops the lock
 * when the process dies, so a crash never leaves a stale lock behind.
 *
 * @module
 */

/** The lock file name inside the data directory. */
export const LOCK_FILE_NAME = ".lock";

/** A held datadir lock. */
export interface DatadirLock {
  /** Path of the lock file. */
  readonly path: string;
  /** Unlocks and deletes the file. */
  release(): Promise<void>;
}

/** Thrown when another process holds the lock. */
export class DatadirLockedError extends Error {
  constructor(datadir: string) {
    super(
      `Cannot obtain a lock on data directory ${datadir}: another rnt node is probably ` +
        "already running on it",
    );
    this.name = "DatadirLockedError";
  }
}

/**
 * Takes the lock of `datadir` (creating the directory); throws DatadirLockedError when another
 * process holds it.
 */
export async function lockDatadir(datadir: string): Promise<DatadirLock> {
  await Deno.mkdir(datadir, { recursive: true });
  const path = `${datadir.replace(/\/+$/, "")}/${LOCK_FILE_NAME}`;
  const file = await Deno.open(path, { create: true, read: true, write: true, mode: 0o600 });
  let held: boolean;
  try {
    held = await file.tryLock(true);
  } catch (e) {
    file.close();
    throw e;
  }
  if (!held) {
    file.close();
    throw new DatadirLockedError(datadir);
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      await Deno.remove(path).catch(() => {});
      await file.unlock().catch(() => {});
      file.close();
    },
  };
}
