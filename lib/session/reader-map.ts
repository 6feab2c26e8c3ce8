/**
 * A bounded map of readers' state in this process, in least-recently-used order: memory mode's
 * map and replicated mode's replicas. Bounded so that cookie-less requests cannot grow a process
 * without limit; swept so that idle readers expire with the session TTL, like every other mode.
 */
/** A Map kept in least-recently-used order (a Map iterates in insertion order; a touch re-inserts). */
export class ReaderMap<Entry extends { touchedAt: number }> {
  private readonly entries = new Map<string, Entry>();
  private lastSweep = 0;

  constructor(
    /** Most readers held; the least recently used goes first. */
    readonly maxReaders: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  /** Records a use: the entry moves to the most-recently-used end. */
  touch(id: string, entry: Entry, now: number): void {
    entry.touchedAt = now;
    this.put(id, entry);
  }

  /** Stores `entry` as most recently used without changing its touchedAt (a replica merged from a peer). */
  put(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.maxReaders) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Every entry, least recently used first (state transfer to a joining replica). */
  all(): IterableIterator<[string, Entry]> {
    return this.entries.entries();
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  /**
   * Drops entries idle for longer than the session TTL. They are in least-recently-used order,
   * so the sweep stops at the first live one; it runs at most once a second.
   */
  sweep(now: number, ttlMs: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [id, entry] of this.entries) {
      if (now - entry.touchedAt <= ttlMs) break;
      this.entries.delete(id);
    }
  }
}
