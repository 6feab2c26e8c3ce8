/**
 * Moving a reader between stores without letting a single seen article go (snapshot → replace →
 * clear the old store), and forgetting a reader everywhere.
 */
import { sessionConfig } from "./config";
import { COOKIE_NAMES } from "./cookies";
import { currentMode, openStore, registeredModes } from "./registry";
import type { CookieJar } from "./store";

export interface SwitchResult {
  from: string;
  to: string;
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
export async function switchMode(jar: CookieJar, to: string): Promise<SwitchResult> {
  const from = currentMode(jar);
  const target = openStore(to, jar);
  if (from === to) {
    const { seenCount, readCount } = await target.describe();
    return { from, to, migrated: migratedCounts(seenCount, readCount) };
  }
  const source = openStore(from, jar);
  const snapshot = await source.snapshot();
  await target.replace(snapshot);
  jar.set(COOKIE_NAMES.mode, to, sessionConfig().cookie);
  await source.destroy().catch((error: unknown) => {
    // The reader already lives in `to`; leftovers in `from` only expire with their TTL.
    console.warn(`[newsroom] could not clear the ${from} store after switching to ${to}:`, error);
  });
  return { from, to, migrated: migratedCounts(snapshot.seen.count(), snapshot.read.count()) };
}

/** DELETE /api/session: forget the reader in every store this process can reach, not just the current one. */
export async function forgetReader(jar: CookieJar): Promise<{ cleared: string[]; failed: Record<string, string> }> {
  const config = sessionConfig();
  const cleared: string[] = [];
  const failed: Record<string, string> = {};
  for (const mode of registeredModes()) {
    if (mode.unavailable(config) !== null) continue;
    try {
      await openStore(mode.name, jar, config).destroy();
      cleared.push(mode.name);
    } catch (error) {
      failed[mode.name] = error instanceof Error ? error.message : String(error);
    }
  }
  return { cleared, failed };
}
