// Send outcomes this instance knows but has not written yet. The SMSC often sends a message's receipt right
// after its submit answer, before the dispatcher's outcome batch (outcome-batcher.ts) has written it `sent`
// with its SMSC ids. Such a receipt would find no submission (SMPP) or a message still `sending` (SIP) and be
// parked in the database for a retry; instead, the receipt batch (messaging/receipt-batch.ts) waits here, in
// memory, for the write it needs.
//
// Fed by the SMPP gateway as each submit_sm_resp arrives (a multipart message's first part may be receipted
// before its last part is answered) and by the dispatcher when a submit answer reaches it; cleared when the
// outcome batch holding the message commits. An entry nobody clears (a send that outlived shutdown) expires
// after `maxAgeMs`, and nobody waits longer than that. Receipts of messages another instance sends, or sent
// before a restart, find nothing here and take the database path (parked and retried by receipt-sweeper.ts).

export interface PendingOutcomesOptions {
  /** How long an entry is trusted, and the longest any receipt waits for it (default 10 s). */
  maxAgeMs?: number;
  now?: () => number;
}

interface Entry {
  sid: string;
  smscIds: Set<string>;
  pair: string | null;
  since: number;
  written: Promise<void>;
  resolve: () => void;
}

/** The handset and sender of a message, normalised so that `+447...` and `447...` meet. */
export function addressPairKey(handset: string, sender: string): string {
  return `${normaliseAddress(handset)}\u0000${normaliseAddress(sender)}`;
}

function normaliseAddress(address: string): string {
  let decoded = address;
  try {
    decoded = decodeURIComponent(address);
  } catch {
    // keep it as received
  }
  return decoded.trim().replace(/^\+/, '');
}

export class PendingOutcomes {
  private readonly bySid = new Map<string, Entry>();
  private readonly bySmscId = new Map<string, Entry>();
  private readonly byPair = new Map<string, Set<Entry>>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(options: PendingOutcomesOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Messages whose answer is known and whose outcome is not written yet. */
  get size(): number {
    return this.bySid.size;
  }

  /** The longest a receipt should wait for an entry. */
  get maxWaitMs(): number {
    return this.maxAgeMs;
  }

  /**
   * The SMSC accepted (part of) this message: its outcome is on its way to the database. `smscMessageIds` are
   * the ids known so far (SMPP); `to`/`from` let a SIP receipt, which carries no id, find it by its addresses.
   */
  answered(message: { sid: string; to?: string; from?: string }, smscMessageIds: readonly string[] = []): void {
    this.prune();
    let entry = this.bySid.get(message.sid);
    if (entry === undefined) {
      let resolve: () => void = () => {};
      const written = new Promise<void>((r) => (resolve = r));
      entry = { sid: message.sid, smscIds: new Set(), pair: null, since: this.now(), written, resolve };
      this.bySid.set(message.sid, entry);
    }
    for (const id of smscMessageIds) {
      const trimmed = id.trim();
      if (trimmed === '' || entry.smscIds.has(trimmed)) continue;
      entry.smscIds.add(trimmed);
      this.bySmscId.set(trimmed, entry);
    }
    if (entry.pair === null && message.to !== undefined && message.from !== undefined) {
      entry.pair = addressPairKey(message.to, message.from);
      const set = this.byPair.get(entry.pair) ?? new Set();
      set.add(entry);
      this.byPair.set(entry.pair, set);
    }
  }

  /** The outcome batch holding these messages committed (whatever the outcomes were): wake who waits. */
  written(sids: Iterable<string>): void {
    for (const sid of sids) {
      const entry = this.bySid.get(sid);
      if (entry !== undefined) this.remove(entry);
    }
  }

  /** Forgets every entry and wakes who waits (shutdown: the dispatcher has written or released all it held). */
  clear(): void {
    for (const entry of [...this.bySid.values()]) this.remove(entry);
  }

  /** Resolves when the outcome carrying this SMSC id is written; null when this instance holds none. */
  forSmscId(smscMessageId: string): Promise<void> | null {
    const entry = this.bySmscId.get(smscMessageId.trim());
    return entry === undefined || this.expired(entry) ? null : entry.written;
  }

  /** Resolves when every pending outcome of this handset/sender pair is written; null when there is none. */
  forAddresses(handset: string, sender: string): Promise<void> | null {
    const set = this.byPair.get(addressPairKey(handset, sender));
    if (set === undefined) return null;
    const waits = [...set].filter((entry) => !this.expired(entry)).map((entry) => entry.written);
    return waits.length === 0 ? null : Promise.all(waits).then(() => undefined);
  }

  private expired(entry: Entry): boolean {
    return this.now() - entry.since > this.maxAgeMs;
  }

  private remove(entry: Entry): void {
    this.bySid.delete(entry.sid);
    for (const id of entry.smscIds) if (this.bySmscId.get(id) === entry) this.bySmscId.delete(id);
    if (entry.pair !== null) {
      const set = this.byPair.get(entry.pair);
      set?.delete(entry);
      if (set?.size === 0) this.byPair.delete(entry.pair);
    }
    entry.resolve();
  }

  /** Drops expired entries now and then (a send that outlived shutdown never has its outcome written). */
  private prune(): void {
    const now = this.now();
    if (now - this.lastPrune < this.maxAgeMs) return;
    this.lastPrune = now;
    for (const entry of [...this.bySid.values()]) if (this.expired(entry)) this.remove(entry);
  }
}
