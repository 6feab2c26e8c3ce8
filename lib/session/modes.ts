/**
 * Mode resolution and migration: which store holds this reader, and moving a reader between
 * stores without letting a single seen article go (snapshot -> replace -> destroy).
 */
import { COOKIE_NAMES, sessionCookieOptions } from "./cookies";
import { CookieStore } from "./cookie-store";
import { sessionPassword } from "./config";
import { KvNotConfiguredError } from "./errors";
import { kvStatus } from "./kv-client";
import { KvStore } from "./kv-store";
import { MemoryStore } from "./memory-store";
import { MODES, type CookieJar, type Mode, type SessionStore } from "./store";

export function isMode(value: unknown): value is Mode {
  return typeof value === "string" && (MODES as readonly string[]).includes(value);
}

/** DEFAULT_SESSION_MODE, else cookie: correct everywhere and needs no infrastructure. */
export function defaultMode(): Mode {
  const configured = process.env.DEFAULT_SESSION_MODE;
  return isMode(configured) ? configured : "cookie";
}

export function currentMode(jar: CookieJar): Mode {
  const value = jar.get(COOKIE_NAMES.mode);
  return isMode(value) ? value : defaultMode();
}

export function openStore(mode: Mode, jar: CookieJar): SessionStore {
  const options = sessionCookieOptions();
  switch (mode) {
    case "cookie":
      return new CookieStore(jar, sessionPassword(), options);
    case "kv": {
      const status = kvStatus();
      if (!status.configured) throw new KvNotConfiguredError(status.reason);
      return new KvStore(jar, sessionPassword(), options);
    }
    case "memory":
      return new MemoryStore(jar, options);
  }
}

export interface SwitchResult {
  from: Mode;
  to: Mode;
  /** How many seen / read entries moved with the reader. */
  migrated: { seenCount: number; readCount: number };
}

/**
 * Moves the reader's state into `to`. The new store is written before the mode cookie changes
 * and before the old store is cleared, so a failure at any step leaves the reader where they were.
 */
export async function switchMode(jar: CookieJar, to: Mode): Promise<SwitchResult> {
  const from = currentMode(jar);
  const target = openStore(to, jar);
  if (from === to) {
    const { seenCount, readCount } = await target.describe();
    return { from, to, migrated: { seenCount, readCount } };
  }
  const source = openStore(from, jar);
  const snapshot = await source.snapshot();
  await target.replace(snapshot);
  jar.set(COOKIE_NAMES.mode, to, sessionCookieOptions());
  await source.destroy().catch((error: unknown) => {
    // The reader already lives in `to`; leftovers in `from` only expire with their TTL.
    console.warn(`[newsroom] could not clear the ${from} store after switching to ${to}:`, error);
  });
  return { from, to, migrated: { seenCount: snapshot.seen.count(), readCount: snapshot.read.count() } };
}

/** DELETE /api/session: forget the reader in every store, not just the current one. */
export async function forgetReader(jar: CookieJar): Promise<{ cleared: Mode[]; failed: Partial<Record<Mode, string>> }> {
  const cleared: Mode[] = [];
  const failed: Partial<Record<Mode, string>> = {};
  for (const mode of MODES) {
    if (mode === "kv" && !kvStatus().configured) continue;
    try {
      await openStore(mode, jar).destroy();
      cleared.push(mode);
    } catch (error) {
      failed[mode] = error instanceof Error ? error.message : String(error);
    }
  }
  return { cleared, failed };
}
