/**
 * Mode resolution and migration: which store holds this reader, and moving a reader between
 * stores without letting a single seen article go (snapshot -> replace -> destroy).
 */
import { BaselineStore } from "./bench/baseline-store";
import { BenchModeDisabledError, benchModesAllowed, isBenchMode, type BenchMode } from "./bench/bench-modes";
import { KvTextbookStore } from "./bench/kv-textbook-store";
import { COOKIE_NAMES, sessionCookieOptions } from "./cookies";
import { CookieStore } from "./cookie/cookie-store";
import { sessionKeyring } from "./config";
import { KvNotConfiguredError } from "./errors";
import { kvStatus } from "./kv/kv-client";
import { KvStore } from "./kv/kv-store";
import { MemoryStore } from "./memory/memory-store";
import { MODES, type CookieJar, type Mode, type SessionStore } from "./store";

/** A mode a request can be in: the three real ones, plus the bench-only ones when enabled. */
export type StoreMode = Mode | BenchMode;

export function isMode(value: unknown): value is Mode {
  return typeof value === "string" && (MODES as readonly string[]).includes(value);
}

/** DEFAULT_SESSION_MODE, else cookie: correct everywhere and needs no infrastructure. */
export function defaultMode(): Mode {
  const configured = process.env.DEFAULT_SESSION_MODE;
  return isMode(configured) ? configured : "cookie";
}

export function currentMode(jar: CookieJar): StoreMode {
  const value = jar.get(COOKIE_NAMES.mode);
  if (isBenchMode(value) && benchModesAllowed()) return value;
  return isMode(value) ? value : defaultMode();
}

export function openStore(mode: StoreMode, jar: CookieJar): SessionStore {
  const options = sessionCookieOptions();
  if (isBenchMode(mode) && !benchModesAllowed()) throw new BenchModeDisabledError(mode);
  switch (mode) {
    case "cookie":
      return new CookieStore(jar, sessionKeyring(), options);
    case "kv": {
      const status = kvStatus();
      if (!status.configured) throw new KvNotConfiguredError(status.reason);
      return new KvStore(jar, sessionKeyring(), options);
    }
    case "memory":
      return new MemoryStore(jar, sessionKeyring(), options);
    case "baseline":
      return new BaselineStore();
    case "kv-textbook": {
      const status = kvStatus();
      if (!status.configured) throw new KvNotConfiguredError(status.reason);
      return new KvTextbookStore(jar, sessionKeyring(), options);
    }
  }
}

export interface SwitchResult {
  from: StoreMode;
  to: StoreMode;
  /**
   * How many seen / read entries moved with the reader: everything the `from` store held for them,
   * as this instance could read it. From memory mode that is only this instance's share.
   * `seenCount` / `readCount` are the same figures under their first names (kept for old clients).
   */
  migrated: { seen: number; read: number; seenCount: number; readCount: number };
}

function migratedCounts(seen: number, read: number): SwitchResult["migrated"] {
  return { seen, read, seenCount: seen, readCount: read };
}

/**
 * Moves the reader's state into `to`. The new store is written before the mode cookie changes
 * and before the old store is cleared, so a failure at any step leaves the reader where they were.
 */
export async function switchMode(jar: CookieJar, to: StoreMode): Promise<SwitchResult> {
  const from = currentMode(jar);
  const target = openStore(to, jar);
  if (from === to) {
    const { seenCount, readCount } = await target.describe();
    return { from, to, migrated: migratedCounts(seenCount, readCount) };
  }
  const source = openStore(from, jar);
  const snapshot = await source.snapshot();
  await target.replace(snapshot);
  jar.set(COOKIE_NAMES.mode, to, sessionCookieOptions());
  await source.destroy().catch((error: unknown) => {
    // The reader already lives in `to`; leftovers in `from` only expire with their TTL.
    console.warn(`[newsroom] could not clear the ${from} store after switching to ${to}:`, error);
  });
  return { from, to, migrated: migratedCounts(snapshot.seen.count(), snapshot.read.count()) };
}

/** DELETE /api/session: forget the reader in every store, not just the current one. */
export async function forgetReader(jar: CookieJar): Promise<{ cleared: StoreMode[]; failed: Partial<Record<StoreMode, string>> }> {
  const cleared: StoreMode[] = [];
  const failed: Partial<Record<StoreMode, string>> = {};
  const modes: StoreMode[] = benchModesAllowed() ? [...MODES, "kv-textbook"] : [...MODES];
  for (const mode of modes) {
    if ((mode === "kv" || mode === "kv-textbook") && !kvStatus().configured) continue;
    try {
      await openStore(mode, jar).destroy();
      cleared.push(mode);
    } catch (error) {
      failed[mode] = error instanceof Error ? error.message : String(error);
    }
  }
  return { cleared, failed };
}
