// A counter that moves whenever this process writes what the directory caches remember: accounts (tokens,
// routes), API keys, phone numbers and Messaging Services with their sender pools. The caches in front of the
// per-message lookups (auth, sender check, inbound number routing) read it (TtlCache's `invalidatedBy`) and
// start empty when it has moved, so a write made here, through any route or command, is seen at once by every
// cache of the process; a write made by another instance sharing the database is seen within the caches' TTL.
//
// One counter for the whole process on purpose: a write is rare next to the lookups, and forgetting everything
// on each one is simpler to get right than tracking which entry a write touched.
let version = 0;

/** Called by the store functions above once their write has been made (committed). */
export function directoryChanged(): void {
  version += 1;
}

export function directoryVersion(): number {
  return version;
}

/**
 * Runs a directory write and moves the version when it ends, failed or not: a write whose outcome is unknown (a
 * lost connection around COMMIT) may have been made, and forgetting too much only costs a lookup.
 */
export async function changingDirectory<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    directoryChanged();
  }
}
