/**
 * The production build, rebuilt only when a source file changed: `npm run demo` and `npm test`
 * from a fresh clone build once, then start in seconds.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const DIST = join(ROOT, ".next");
const MARKER = join(DIST, "newsroom-source-hash");
const SOURCES = [
  "app",
  "components",
  "lib",
  "bench/stores",
  "data",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.js",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
];

function* files(path: string): Generator<string> {
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) yield* files(join(path, entry));
  } else {
    yield path;
  }
}

export function sourceHash(): string {
  const hash = createHash("sha256");
  for (const source of SOURCES) {
    for (const file of files(join(ROOT, source))) {
      hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
    }
  }
  return hash.digest("hex");
}

export function nextBin(): string {
  return join(ROOT, "node_modules", "next", "dist", "bin", "next");
}

/** Builds unless .next already holds a build of exactly these sources. */
export function ensureBuild(log: (line: string) => void = console.log): void {
  const hash = sourceHash();
  if (existsSync(join(DIST, "BUILD_ID")) && existsSync(MARKER) && readFileSync(MARKER, "utf8") === hash) {
    log("[newsroom] production build is up to date");
    return;
  }
  log("[newsroom] building the production bundle (next build)…");
  const started = Date.now();
  execFileSync(process.execPath, [nextBin(), "build"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  writeFileSync(MARKER, hash);
  log(`[newsroom] built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
