// A small in-memory cache whose entries expire ttlMs after they were stored and whose least recently used entry
// is dropped when it is full. The API uses it to skip database lookups that every request would otherwise repeat
// (credentials, sender numbers, inbound numbers); what it holds may be stale for at most ttlMs, which the callers
// document.
export interface TtlCacheOptions {
  ttlMs: number;
  maxEntries: number;
  /** The clock, in milliseconds (tests pass a fake one). */
  now?: () => number;
  /**
   * A version that moves when what the cache remembers may have changed (directory-version.ts): whenever it
   * differs from the one last seen, the cache clears itself before answering.
   */
  invalidatedBy?: () => number;
}

export class TtlCache<V> {
  // A Map iterates in insertion order, so re-inserting on every hit keeps the least recently used entry first.
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly now: () => number;
  private clears = 0;
  private seenVersion: number | undefined;
  /** The most recently used key: a hit on it needs no reordering (the hot path reads one key again and again). */
  private lastKey: string | null = null;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
    this.seenVersion = options.invalidatedBy?.();
  }

  get size(): number {
    this.follow();
    return this.entries.size;
  }

  /**
   * Changes at every clear(). A caller that looks something up in the database reads it first and passes it to
   * set(), so that an answer read before a clear() (e.g. before a key was deleted) is not stored after it.
   */
  get generation(): number {
    this.follow();
    return this.clears;
  }

  get(key: string): V | undefined {
    this.follow();
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.delete(key);
      return undefined;
    }
    if (key !== this.lastKey) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.lastKey = key;
    }
    return entry.value;
  }

  set(key: string, value: V, generation = this.generation): void {
    // A value read before the version moved is refused here: follow() has cleared, so the generation differs.
    this.follow();
    if (generation !== this.clears || this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.options.ttlMs });
    this.lastKey = key;
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
    if (key === this.lastKey) this.lastKey = null;
  }

  clear(): void {
    this.clears += 1;
    this.entries.clear();
    this.lastKey = null;
  }

  private follow(): void {
    if (this.options.invalidatedBy === undefined) return;
    const version = this.options.invalidatedBy();
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    this.clear();
  }
}
