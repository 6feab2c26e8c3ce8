/**
 * Where PostgreSQL's server programs live. Debian keeps them off PATH, in
 * /usr/lib/postgresql/<major>/bin (the `postgresql` package); Homebrew and most other installs put
 * them on PATH. Missing: installed with apt when running as root, else an error with the exact
 * command to run.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { aptInstall, canAptInstall, which } from "./system-deps";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  /** Major version, from the directory name when known (Debian), else null. */
  major: number | null;
}

const DEBIAN_ROOT = "/usr/lib/postgresql";

/** The exact command that installs the server on this platform. */
export function postgresInstallCommand(): string {
  return process.platform === "darwin" ? "brew install postgresql@16" : "sudo apt-get update && sudo apt-get install -y postgresql";
}

function inDir(binDir: string, major: number | null): PostgresBinaries | null {
  const initdb = join(binDir, "initdb");
  const postgres = join(binDir, "postgres");
  return existsSync(initdb) && existsSync(postgres) ? { initdb, postgres, major } : null;
}

/** Debian's newest installed major version first. */
function debianInstalls(): PostgresBinaries[] {
  if (!existsSync(DEBIAN_ROOT)) return [];
  return readdirSync(DEBIAN_ROOT)
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .sort((a, b) => b - a)
    .map((major) => inDir(join(DEBIAN_ROOT, String(major), "bin"), major))
    .filter((found): found is PostgresBinaries => found !== null);
}

/** POSTGRES_BIN_DIR, then PATH, then Debian's versioned directories; null when none has both programs. */
export function findPostgresBinaries(): PostgresBinaries | null {
  const configured = process.env.POSTGRES_BIN_DIR;
  if (configured) return inDir(configured, null);
  const onPath = which("initdb");
  const fromPath = onPath ? inDir(dirname(onPath), null) : null;
  return fromPath ?? debianInstalls()[0] ?? null;
}

/** The binaries, installing Debian's `postgresql` package first when missing and running as root. */
export function ensurePostgresBinaries(): PostgresBinaries {
  const found = findPostgresBinaries();
  if (found) return found;
  if (process.env.POSTGRES_BIN_DIR) {
    throw new Error(`POSTGRES_BIN_DIR=${process.env.POSTGRES_BIN_DIR} holds no initdb and postgres: point it at PostgreSQL's bin directory, or unset it`);
  }
  if (process.platform === "darwin" || !canAptInstall()) {
    throw new Error(`PostgreSQL is not installed. Install it with:  ${postgresInstallCommand()}`);
  }
  aptInstall("postgresql", "PostgreSQL not found");
  const installed = findPostgresBinaries();
  if (!installed) throw new Error(`installed postgresql but found no initdb under ${DEBIAN_ROOT}/*/bin or on PATH`);
  return installed;
}
