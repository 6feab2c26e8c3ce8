/**
 * The SESSION_SECRET every instance of a local cluster shares. From the environment when set;
 * otherwise the demo keeps one in `.newsroom/session-secret` (gitignored, readable by this user
 * only) so that restarting the demo keeps every reader's cookie and kv session valid, while test
 * and bench stacks use a fresh one per run so no run depends on another.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT } from "./build";

/** Where the demo keeps its generated secret between runs. Delete the file to start every reader afresh. */
export const SECRET_FILE = join(ROOT, ".newsroom", "session-secret");

export type SecretSource = "environment" | "file" | "generated";

export interface ClusterSecret {
  secret: string;
  source: SecretSource;
}

const MIN_LENGTH = 32;

/** @param keep true for the demo: reuse (or create) SECRET_FILE; false: a new secret for this run only. */
export function clusterSecret(keep = false): ClusterSecret {
  const given = process.env.SESSION_SECRET;
  if (given) return { secret: given, source: "environment" };
  if (keep && existsSync(SECRET_FILE)) {
    const stored = readFileSync(SECRET_FILE, "utf8").trim();
    if (stored.length >= MIN_LENGTH) return { secret: stored, source: "file" };
  }
  const secret = randomBytes(32).toString("base64url");
  if (keep) {
    mkdirSync(dirname(SECRET_FILE), { recursive: true });
    writeFileSync(SECRET_FILE, `${secret}\n`, { mode: 0o600 });
    chmodSync(SECRET_FILE, 0o600);
  }
  return { secret, source: "generated" };
}
