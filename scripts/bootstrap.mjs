// Plain Node (no dependencies yet): makes sure node_modules matches package-lock.json before any
// npm script that needs tsx, Next.js or the test tools runs. Fresh clone -> one `npm ci`, exactly
// what CI systems and Dockerfiles run: the lock file lists every platform's optional native
// packages (tests/unit/lock-file.test.ts checks that), so `npm ci` accepts it on Linux, macOS and
// Windows alike.
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const lockFile = join(root, "package-lock.json");
const marker = join(root, "node_modules", ".newsroom-lock-hash");

const [major, minor, patch] = process.versions.node.split(".").map(Number);
// 20.18.1: undici 7 (kv's REST transport) needs it; Next.js 16 alone would take 20.9.
if (major < 20 || (major === 20 && (minor < 18 || (minor === 18 && patch < 1)))) {
  console.error(`Newsroom needs Node.js >= 20.18.1 (undici 7; Next.js 16 needs 20.9); this is ${process.version}. Install a current Node 20 or 22.`);
  process.exit(1);
}

const lockHash = createHash("sha256").update(readFileSync(lockFile)).digest("hex");
const installed = existsSync(marker) ? readFileSync(marker, "utf8").trim() : null;
if (installed !== lockHash) {
  console.log(installed === null ? "[newsroom] installing npm dependencies…" : "[newsroom] package-lock.json changed: reinstalling…");
  try {
    execSync("npm ci --no-audit --no-fund", { cwd: root, stdio: "inherit" });
  } catch {
    console.error("[newsroom] npm ci failed (see above). Fix that, then run the command again.");
    process.exit(1);
  }
  writeFileSync(marker, createHash("sha256").update(readFileSync(lockFile)).digest("hex"));
}
