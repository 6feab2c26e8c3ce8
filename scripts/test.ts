/**
 * npm test: lint and typecheck (side by side), the production build, every Vitest suite (unit + integration against
 * the built app with real Redis, PostgreSQL and HAProxy), then the Playwright suite in a real browser against 3 instances
 * behind the balancer, then a short chaos run (its invariants are the check) and a quick run of
 * the bench harness (a smoke test, no timing assertions).
 * Ends with ONE line: `N passed, N failed[, N skipped]`,
 * totals over all suites, where lint, typecheck and build count as one check each.
 * Exit code 0 only when nothing failed.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { evaluateTargets, type BenchResults } from "./lib/bench/report";
import { FOOTPRINTS } from "./lib/bench/footprint";
import { VARIANTS } from "./lib/bench/variants";
import { ROOT } from "./lib/build";

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];
const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);

function banner(title: string): void {
  console.log(`\n━━ ${title} ${"━".repeat(Math.max(0, 70 - title.length))}`);
}

function run(command: string, args: string[], env: Record<string, string> = {}): boolean {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  return result.status === 0;
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTestSuites: number;
  numFailedTestSuites: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
}

function vitest(): void {
  banner("vitest (unit + API integration)");
  const reportDir = join(ROOT, ".newsroom");
  mkdirSync(reportDir, { recursive: true });
  const reportFile = join(reportDir, "vitest-report.json");
  rmSync(reportFile, { force: true });
  const exitOk = run(bin("vitest"), ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`]);
  if (!existsSync(reportFile)) {
    totals.failed++;
    failures.push("vitest (no report: the run itself failed)");
    return;
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as VitestReport;
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
  for (const file of report.testResults) {
    for (const test of file.assertionResults) if (test.status === "failed") failures.push(`${file.name.replace(ROOT, "")}: ${test.fullName}`);
    // A file that failed to load has no test results of its own but must still count.
    if (file.status === "failed" && file.assertionResults.every((t) => t.status !== "failed")) {
      totals.failed++;
      failures.push(`${file.name.replace(ROOT, "")}: ${file.message ?? "failed to run"}`);
    }
  }
  if (!exitOk && report.numFailedTests === 0 && failures.length === 0) {
    totals.failed++;
    failures.push("vitest exited with an error");
  }
}

interface PlaywrightReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  errors: { message?: string }[];
}

function playwright(): void {
  banner("playwright (end-to-end, real browser, 3 instances + balancer)");
  const reportFile = join(ROOT, ".newsroom", "playwright-report.json");
  mkdirSync(join(ROOT, ".newsroom"), { recursive: true });
  rmSync(reportFile, { force: true });
  const exitOk = run(bin("playwright"), ["test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_FILE: reportFile });
  if (!existsSync(reportFile)) {
    totals.failed++;
    failures.push("playwright (no report: the run itself failed)");
    return;
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as PlaywrightReport;
  totals.passed += report.stats.expected + report.stats.flaky;
  totals.failed += report.stats.unexpected;
  totals.skipped += report.stats.skipped;
  if (report.stats.unexpected > 0) failures.push(`playwright: ${report.stats.unexpected} spec(s) failed (see above)`);
  for (const error of report.errors) {
    totals.failed++;
    failures.push(`playwright: ${error.message?.split("\n")[0] ?? "error outside a test"}`);
  }
  if (!exitOk && report.stats.unexpected === 0 && report.errors.length === 0) {
    totals.failed++;
    failures.push("playwright exited with an error");
  }
}

/**
 * Checks that run at the same time (each is one single-threaded process, so on 2 cores two of them
 * take the time of one); each one's output is printed whole when it ends, then its verdict.
 */
interface TogetherCheck {
  name: string;
  commands: [string, string[]][];
  /** Run after the commands succeeded, with their output already printed: false fails the check. */
  verify?: () => boolean;
}

async function checksTogether(checks: TogetherCheck[]): Promise<boolean[]> {
  const started = Date.now();
  const runOne = async ({ name, commands, verify }: TogetherCheck) => {
    let output = "";
    let ok = true;
    for (const [command, args] of commands) {
      const child = spawn(command, args, { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => {
        child.on("close", resolve);
        child.on("error", (error) => {
          output += `${error.message}\n`;
          resolve(null);
        });
      });
      if (code !== 0) {
        ok = false;
        break;
      }
    }
    banner(name);
    if (output.trim()) process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
    if (ok && verify) {
      try {
        ok = verify();
      } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        ok = false;
      }
    }
    console.log(`${ok ? "✓" : "✗"} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (ok) totals.passed++;
    else {
      totals.failed++;
      failures.push(name);
    }
    return ok;
  };
  return Promise.all(checks.map(runOne));
}

async function main(): Promise<void> {
  const started = Date.now();
  // The same two checks as `npm run lint` (ESLint, layering included, and Prettier's formatting),
  // beside the typecheck. The build comes after: beside them (three processes on two cores, the
  // build itself multi-threaded) it made the phase slower, not faster (74 s against 69 s measured).
  const [, typesOk] = await checksTogether([
    {
      name: "lint (eslint + prettier --check)",
      commands: [
        [bin("eslint"), [".", "--max-warnings=0"]],
        [bin("prettier"), ["--check", "."]],
      ],
    },
    { name: "typecheck (tsc --noEmit)", commands: [[bin("tsc"), ["--noEmit"]]] },
  ]);
  // The build need not check types again (next.config.js) once the whole project passed.
  if (typesOk) process.env.NEWSROOM_TYPECHECKED = "1";
  await checksTogether([{ name: "production build (next build)", commands: [[bin("tsx"), ["scripts/build.ts"]]] }]);
  vitest();
  playwright();
  // The chaos run and the bench's smoke run one after the other: chaos judges which store's 503s
  // fall in which fault window, and a bench beside it stretches the recoveries past their windows
  // (seen: a kv 503 2 s after the grace, every instance briefly "down" under the load).
  const benchResults = join(ROOT, "bench", "results", "quick.json");
  rmSync(benchResults, { force: true });
  await checksTogether([
    {
      name: "chaos, short run (npm run chaos -- --quick: every mode but memory, 0 repeats, 0 lost entries, store 503s only in their store's fault windows)",
      commands: [[bin("tsx"), ["scripts/chaos.ts", "--quick"]]],
    },
  ]);
  await checksTogether([
    {
      name: "bench harness smoke test (npm run bench -- --quick; no timing assertions)",
      commands: [[bin("tsx"), ["--conditions=react-server", "scripts/bench.ts", "--quick"]]],
      verify: () => {
        // The harness worked if every variant was driven, every mode's memory weighed and every target evaluated.
        const report = JSON.parse(readFileSync(benchResults, "utf8")) as BenchResults & { targets: unknown[] };
        const variants = Object.entries(report.variants);
        const driven =
          variants.length === VARIANTS.length && variants.every(([, v]) => v.requests > 0) && report.targets.length === evaluateTargets(report).length;
        if (!driven) console.error(`bench quick run incomplete: ${JSON.stringify(Object.fromEntries(variants.map(([n, v]) => [n, v.requests])))}`);
        const weighed = report.footprint.modes.length === FOOTPRINTS.length && report.footprint.readers > 0;
        if (!weighed) console.error(`bench quick run weighed ${report.footprint.modes.map((f) => f.mode).join(", ") || "no mode"}`);
        return driven && weighed;
      },
    },
  ]);

  banner("summary");
  if (failures.length > 0) {
    console.log("Failed:");
    for (const failure of failures) console.log(`  ✗ ${failure}`);
  }
  console.log(`Total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped > 0 ? `, ${totals.skipped} skipped` : ""}`);
  process.exit(totals.failed > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
