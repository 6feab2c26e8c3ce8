/** db mode: the seen-set in a PostgreSQL sessions table, one row per reader (db-store.ts). */
import type { ModeDefinition } from "../mode-definition";
import { DbStore } from "./db-store";
import { pingDb, withPreparedDb } from "./lifecycle";
import { dbStatus } from "./pool";

/** host:port/database of DATABASE_URL, never its user or password. */
function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

export const dbMode: ModeDefinition = {
  name: "db",
  label: "Database",
  description: "A sessions table in PostgreSQL, the Django way: every instance reads the same row.",
  unavailable: () => {
    const status = dbStatus();
    return status.configured ? null : status.reason;
  },
  open: (jar, config) => new DbStore(jar, config.keys, config.cookie, withPreparedDb),
  probe: () => pingDb(),
  connection: () => {
    const status = dbStatus();
    return status.configured ? { transport: "postgres", endpoint: endpointOf(status.url) } : null;
  },
};
