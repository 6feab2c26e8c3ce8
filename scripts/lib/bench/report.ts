/** The bench's outputs: targets with PASS/FAIL, bench/results/*.json, docs/benchmarks.md and its SVG charts. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build";
import { MAX_COOKIE_BYTES } from "../../../lib/session/cookies";
import type { CookiePoint } from "./cookie-curve";
import { CPU_GROUPS, type CpuParts } from "./cpu";
import type { FootprintFigures } from "./footprint";
import { VARIANTS, type Variant } from "./variants";

export interface VariantFigures {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  repeats: number;
  /** Requests the KV bridge received per feed request (REST kv), health-check PINGs left out. */
  kvRoundTripsPerRequest: number;
  /** Lua scripts Redis was asked to run per feed request (EVAL/EVALSHA calls in INFO commandstats). */
  redisScriptsPerRequest: number;
  /** Statements PostgreSQL received per feed request (pg_stat_statements; the readiness probe and the sweeper left out). */
  dbStatementsPerRequest: number;
  /** CPU per request (µs) of each part of the stack (cpu.ts: instances, HAProxy, control plane + KV bridge, Redis, PostgreSQL), and of all of them. */
  cpuUsPerRequest: CpuParts & {
    total: number;
    /** The whole stack's and the instances' CPU per request in each measured round, in order. */
    byRound: { total: number[]; instances: number[] };
  };
  cookieBytes: number;
  requests: number;
}

/** What a variant costs on top of the no-op baseline. */
export interface VariantCost {
  /** CPU per request over the whole stack, µs more than baseline: the median of the round-by-round differences. */
  cpuUs: number;
  /** The smallest and largest round-by-round difference: how much to trust cpuUs on this machine. */
  cpuUsRange: [number, number];
  /** The same median, inside the instances only. */
  instancesCpuUs: number;
  p50AddedMs: number;
  p99AddedMs: number;
  rpsRatio: number;
}

export interface HistoryFigures {
  p50At0: number;
  p50At9000: number;
  ratio: number;
}

export interface BenchResults {
  date: string;
  quick: boolean;
  machine: { cpus: number; node: string; cpuModel: string };
  /** `balancer`: what carried the traffic, e.g. "HAProxy 2.6.12" (results from before issue 16 lack it: the Node proxy). */
  settings: { readers: number; secondsPerVariant: number; rounds: number; catalogueSize: number; instances: number; balancer: string };
  /** The last full run behind the Node proxy, for the "at least as fast behind HAProxy" comparison (null: its file is gone). */
  nodeProxyReference: NodeProxyReference | null;
  variants: Record<string, VariantFigures>;
  /** Throughput ÷ baseline's, by variant. */
  ratios: Record<string, number>;
  costs: Record<string, VariantCost>;
  /** By variant (those with parallelTabs in variants.ts). */
  parallelDuplicates: Record<string, number>;
  parallelArticles: Record<string, number>;
  /** The largest of the history ratios. */
  historyLatencyRatio: number;
  /** By variant (those with history in variants.ts). */
  history: Record<string, HistoryFigures>;
  /** Memory per reader where each mode keeps it (footprint.ts): `readers` new readers per mode, one page of `articlesPerReader` each. */
  footprint: { readers: number; articlesPerReader: number; modes: FootprintFigures[] };
  cookieBytes: { inOrder10k: number; randomHalf10k: number };
  cookieCurve: { inOrder: CookiePoint[]; randomOpened: CookiePoint[] };
  /** One seal / unseal of a cookie-mode session in CPU ms: ours on node:crypto, and iron-session 8 on WebCrypto. */
  ironCost: { sealMs: number; unsealMs: number; webCryptoSealMs: number; webCryptoUnsealMs: number };
  /** Per variant, how busy the load generator's own event loop was while measuring (1 = it was the limit). */
  driverUtilization: Record<string, number>;
  /** The same for the bench's main process, which runs the control plane and the KV bridge. */
  controlUtilization: Record<string, number>;
  wallSeconds: number;
}

export interface Target {
  label: string;
  measured: string;
  /** verdict === "PASS". */
  pass: boolean;
  /**
   * UNRESOLVED: a CPU-over-baseline target whose round-by-round differences fall on both sides of
   * the limit, so this run cannot say (the median alone would pass or fail it on noise).
   */
  verdict: "PASS" | "FAIL" | "UNRESOLVED";
}

/** A plain target: the figure meets the limit or it does not. */
function target(label: string, measured: string, pass: boolean): Target {
  return { label, measured, pass, verdict: pass ? "PASS" : "FAIL" };
}

/** A CPU-over-baseline target, judged on every round's difference, not only on their median. */
function cpuTarget(label: string, cost: VariantCost, limitUs: number): Target {
  const [low, high] = cost.cpuUsRange;
  const us = (n: number) => `${n >= 0 ? "+" : ""}${n} µs`;
  const verdict = high <= limitUs ? "PASS" : low > limitUs ? "FAIL" : "UNRESOLVED";
  return { label, measured: `${us(cost.cpuUs)} (rounds ${us(low)} … ${us(high)})`, pass: verdict === "PASS", verdict };
}

/**
 * The last full `npm run bench` behind the Node proxy (httpxy in the bench's own process, with the
 * KV bridge), before HAProxy replaced it: the throughput every variant must at least match now.
 */
export const NODE_PROXY_RESULTS = "bench/results/2026-11-21T20-56-16.json";

export interface NodeProxyReference {
  file: string;
  date: string;
  /** Requests per second of each variant then. */
  rps: Record<string, number>;
  /** CPU µs per request of the Node proxy's process then (proxy + KV bridge together: they shared it). */
  proxyAndBridgeUs: Record<string, number>;
}

export function nodeProxyReference(): NodeProxyReference | null {
  const path = join(ROOT, NODE_PROXY_RESULTS);
  if (!existsSync(path)) return null;
  const old = JSON.parse(readFileSync(path, "utf8")) as {
    date: string;
    variants: Record<string, { rps: number; cpuUsPerRequest: { balancerAndBridge: number } }>;
  };
  const each = <T>(pick: (figures: (typeof old.variants)[string]) => T) => Object.fromEntries(Object.entries(old.variants).map(([name, f]) => [name, pick(f)]));
  return { file: NODE_PROXY_RESULTS, date: old.date, rps: each((f) => f.rps), proxyAndBridgeUs: each((f) => f.cpuUsPerRequest.balancerAndBridge) };
}

/** The issue-16 targets: HAProxy's CPU per request, and no variant slower than behind the Node proxy. */
function balancerTargets(r: BenchResults): Target[] {
  const perVariant = Object.entries(r.variants).map(([name, f]) => [name, f.cpuUsPerRequest.balancer] as const);
  const worst = perVariant.reduce((a, b) => (b[1] > a[1] ? b : a));
  const targets = [
    target(
      `balancer (${r.settings.balancer}) CPU per request <= 100 µs, every variant`,
      `worst ${worst[1]} µs (${worst[0]}); ${perVariant.map(([name, us]) => `${name} ${us}`).join(", ")}`,
      worst[1] <= 100,
    ),
  ];
  const ref = r.nodeProxyReference;
  if (ref) {
    const ratios = Object.entries(r.variants)
      .filter(([name]) => ref.rps[name] !== undefined)
      .map(([name, f]) => [name, round2(f.rps / ref.rps[name]!)] as const);
    targets.push(
      target(
        `every variant's rps >= behind the Node proxy (${ref.file}; the same machine, another day)`,
        ratios.map(([name, ratio]) => `${name} x${ratio}`).join(", "),
        ratios.every(([, ratio]) => ratio >= 1),
      ),
    );
  }
  return targets;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function evaluateTargets(r: BenchResults): Target[] {
  const v = r.variants;
  const c = r.costs;
  return [
    ...balancerTargets(r),
    cpuTarget("cookie: CPU over baseline per request, whole stack <= +250 µs", c.cookie!, 250),
    cpuTarget("kv over REST: CPU over baseline per request, whole stack <= +500 µs", c.kv!, 500),
    cpuTarget("kv over the Redis protocol: CPU over baseline per request <= +150 µs", c["kv-redis"]!, 150),
    target("cookie rps >= 0.92 x baseline", `${r.ratios.cookie}`, r.ratios.cookie! >= 0.92),
    target("kv (REST) rps >= 0.80 x baseline", `${r.ratios.kv}`, r.ratios.kv! >= 0.8),
    target("kv (Redis protocol) rps >= 0.92 x baseline", `${r.ratios["kv-redis"]}`, r.ratios["kv-redis"]! >= 0.92),
    target("kv: exactly 1.0 KV round trip per feed request", `${v.kv!.kvRoundTripsPerRequest}`, v.kv!.kvRoundTripsPerRequest === 1),
    target(
      "db: exactly 1 statement (one round trip: the claim function) per feed request",
      `${v.db!.dbStatementsPerRequest}`,
      v.db!.dbStatementsPerRequest === 1,
    ),
    target(
      "kv over the Redis protocol: exactly 1 script (one EVALSHA round trip) per feed request",
      `${v["kv-redis"]!.redisScriptsPerRequest}`,
      v["kv-redis"]!.redisScriptsPerRequest === 1,
    ),
    target("kv faster than kv-textbook (rps)", `${v.kv!.rps} vs ${v["kv-textbook"]!.rps}`, v.kv!.rps > v["kv-textbook"]!.rps),
    target("kv: 0 repeats", `${v.kv!.repeats}`, v.kv!.repeats === 0),
    target("kv over the Redis protocol: 0 repeats", `${v["kv-redis"]!.repeats}`, v["kv-redis"]!.repeats === 0),
    target("db: 0 repeats", `${v.db!.repeats}`, v.db!.repeats === 0),
    target(
      "replicated, sync: 0 repeats (every live peer has a claim before its answer)",
      `${v["replicated-sync"]!.repeats}`,
      v["replicated-sync"]!.repeats === 0,
    ),
    target("kv: 0 parallel duplicates", `${r.parallelDuplicates.kv}`, r.parallelDuplicates.kv === 0),
    target("db: 0 parallel duplicates (the claim locks the reader's row)", `${r.parallelDuplicates.db}`, r.parallelDuplicates.db === 0),
    target(
      `history latency ratio (p50 at 9,000 seen / at 0) <= 1.2, the worst of ${Object.keys(r.history).join(", ")}`,
      Object.entries(r.history)
        .map(([name, h]) => `${name} ${h.ratio}`)
        .join(", "),
      r.historyLatencyRatio <= 1.2,
    ),
    target("cookie <= 512 B after 10k in feed order", `${r.cookieBytes.inOrder10k} B`, r.cookieBytes.inOrder10k <= 512),
    target("cookie <= 3 KB after a random half of 10k opened", `${r.cookieBytes.randomHalf10k} B`, r.cookieBytes.randomHalf10k <= 3000),
  ];
}

export function writeResults(results: BenchResults, targets: Target[]): string[] {
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify({ ...results, targets }, null, 2)}\n`;
  if (results.quick) {
    // A smoke run never replaces the published figures.
    writeFileSync(join(dir, "quick.json"), json);
    return ["bench/results/quick.json"];
  }
  const dated = `${results.date.slice(0, 19).replace(/:/g, "-")}.json`;
  writeFileSync(join(dir, "latest.json"), json);
  writeFileSync(join(dir, dated), json);
  const docs = join(ROOT, "docs");
  mkdirSync(docs, { recursive: true });
  const names = Object.keys(results.variants);
  writeFileSync(
    join(docs, "bench-throughput.svg"),
    barChart(
      "Throughput (requests/s, higher is better)",
      names,
      names.map((n) => results.variants[n]!.rps),
    ),
  );
  writeFileSync(
    join(docs, "bench-p99.svg"),
    barChart(
      "p99 latency (ms, lower is better)",
      names,
      names.map((n) => results.variants[n]!.p99),
    ),
  );
  writeFileSync(join(docs, "bench-cookie-bytes.svg"), cookieChart(results.cookieCurve));
  writeFileSync(join(docs, "benchmarks.md"), markdown(results, targets, dated));
  return ["bench/results/latest.json", `bench/results/${dated}`, "docs/benchmarks.md", "docs/bench-*.svg"];
}

/** HAProxy against the Node proxy it replaced: throughput per variant and the balancer's CPU per request. */
function balancerSection(r: BenchResults): string {
  const ref = r.nodeProxyReference;
  const rows = Object.entries(r.variants)
    .map(([name, f]) => {
      const then = ref?.rps[name];
      const ratio = then ? `×${round2(f.rps / then)}` : "—";
      return `| ${name} | ${f.rps} | ${then ?? "—"} | ${ratio} | ${f.cpuUsPerRequest.balancer} | ${ref?.proxyAndBridgeUs[name] ?? "—"} |`;
    })
    .join("\n");
  return `## The balancer: ${r.settings.balancer} against the Node proxy it replaced

HAProxy carries every request; the Node side is the control plane only. Its CPU is read from \`/proc\` for the
master and its worker. The Node proxy's figures are from ${ref ? `[\`${ref.file}\`](../${ref.file}) (${ref.date.slice(0, 10)}, the last full run behind it)` : "a results file that is gone"}: the same
machine and settings on another day, so read the ratios with the machine's day-to-day drift in mind. Its CPU column is
the proxy and the KV bridge together (they shared one process); the bridge alone costs about 100 µs per kv request.

| variant | req/s now | req/s behind the Node proxy | ratio | HAProxy µs / request | Node proxy + bridge µs / request then |
|---|---|---|---|---|---|
${rows}

`;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");

function barChart(title: string, labels: string[], values: number[]): string {
  const width = 640;
  const rowHeight = 30;
  const left = 130;
  const height = 50 + labels.length * rowHeight;
  const max = Math.max(...values, 1);
  const bars = labels
    .map((label, i) => {
      const y = 40 + i * rowHeight;
      const w = ((width - left - 90) * values[i]!) / max;
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escape(label)}</text><rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="20" fill="#0284c7"/><text x="${left + w + 6}" y="${y + 15}">${values[i]}</text>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="22" font-weight="bold">${escape(title)}</text>${bars}</svg>\n`;
}

function cookieChart(curve: BenchResults["cookieCurve"]): string {
  const width = 640;
  const height = 320;
  const pad = { left: 60, right: 20, top: 40, bottom: 45 };
  const maxX = Math.max(...curve.inOrder.map((p) => p.articles));
  const maxY = MAX_COOKIE_BYTES; // the browser's limit is the chart's ceiling
  const x = (v: number) => pad.left + ((width - pad.left - pad.right) * v) / maxX;
  const y = (v: number) => height - pad.bottom - ((height - pad.top - pad.bottom) * v) / maxY;
  const line = (points: CookiePoint[], colour: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${points.map((p) => `${x(p.articles).toFixed(1)},${y(p.setCookieBytes).toFixed(1)}`).join(" ")}"/>`;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((share) => share * MAX_COOKIE_BYTES)
    .map(
      (t) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(t)}" y2="${y(t)}" stroke="#e4e4e7"/><text x="${pad.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`,
    )
    .join("");
  const xTicks = [0, 2500, 5000, 7500, 10000].map((t) => `<text x="${x(t)}" y="${height - pad.bottom + 18}" text-anchor="middle">${t}</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="#fff"/><text x="10" y="22" font-size="13" font-weight="bold">Session cookie (Set-Cookie bytes) vs articles, 10,000-article catalogue</text>${ticks}${xTicks}<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(MAX_COOKIE_BYTES)}" y2="${y(MAX_COOKIE_BYTES)}" stroke="#dc2626" stroke-dasharray="4 3"/><text x="${width - pad.right}" y="${y(MAX_COOKIE_BYTES) - 5}" text-anchor="end" fill="#dc2626">browser limit ${MAX_COOKIE_BYTES.toLocaleString("en-US")}</text>${line(curve.inOrder, "#059669")}${line(curve.randomOpened, "#d97706")}<text x="${pad.left + 8}" y="${height - 8}" fill="#059669">— seen in feed order</text><text x="${pad.left + 190}" y="${height - 8}" fill="#d97706">— all seen, then a random k opened</text></svg>\n`;
}

function markdown(r: BenchResults, targets: Target[], dated: string): string {
  const v = r.variants;
  const base = v.baseline!;
  const signed = (n: number, unit: string) => `${n >= 0 ? "+" : "−"}${Math.abs(n)}${unit}`;
  const labelOf = (name: string) => (VARIANTS as readonly Variant[]).find((variant) => variant.name === name)?.label ?? name;
  const costRows = Object.keys(r.costs)
    .filter((name) => name !== "baseline")
    .map((name) => {
      const c = r.costs[name]!;
      const [low, high] = c.cpuUsRange;
      return `| ${labelOf(name)} | **${signed(c.cpuUs, " µs")}** | ${signed(low, "")} … ${signed(high, " µs")} | ${signed(c.instancesCpuUs, " µs")} | ${signed(c.p50AddedMs, " ms")} | ${signed(c.p99AddedMs, " ms")} | ${c.rpsRatio} |`;
    })
    .join("\n");
  const cpuRows = Object.entries(v)
    .map(([name, f]) => `| \`${name}\` | ${CPU_GROUPS.map(({ key }) => f.cpuUsPerRequest[key]).join(" | ")} | ${f.cpuUsPerRequest.total} |`)
    .join("\n");
  const rows = Object.entries(v)
    .map(
      ([name, f]) =>
        `| \`${name}\` | ${f.rps} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.errors} | ${f.repeats} | ${f.kvRoundTripsPerRequest} | ${f.redisScriptsPerRequest} | ${f.dbStatementsPerRequest} | ${f.cookieBytes} | ${f.requests} |`,
    )
    .join("\n");
  const curveRows = r.cookieCurve.inOrder
    .map(
      (p, i) =>
        `| ${p.articles} | ${p.setCookieBytes} (${p.valueBytes}) | ${r.cookieCurve.randomOpened[i]!.setCookieBytes} (${r.cookieCurve.randomOpened[i]!.valueBytes}) |`,
    )
    .join("\n");
  const iron = r.ironCost;
  return `# Benchmarks

Generated by \`npm run bench\` on ${r.date.slice(0, 10)} from [\`bench/results/${dated}\`](../bench/results/${dated}) (also \`latest.json\`).
Do not edit by hand: run the bench again.

## What each strategy costs per request

CPU time per feed request over the whole stack (every instance, HAProxy, the control plane and KV bridge, Redis, PostgreSQL),
minus what the no-op \`baseline\` spends, and the latency it adds at the median and the tail. The CPU
figure is the median of the ${r.settings.rounds} round-by-round differences (each round of a variant runs next to a
round of the baseline), and the range is the smallest and largest of them: on this shared machine a
difference inside that range is noise. Memory mode, which does next to nothing, is the yardstick.

| strategy | CPU over baseline | range over rounds | of which in the instances | p50 added | p99 added | throughput ÷ baseline |
|---|---|---|---|---|---|---|
${costRows}

**The floor.** \`baseline\` runs the same request with a store that records nothing: HAProxy balancing it,
Next.js routing it, the route reading the catalogue and picking ten articles, JSON out. That costs
${base.cpuUsPerRequest.total} µs of CPU per request here (${base.cpuUsPerRequest.instances} µs in the instances,
${base.cpuUsPerRequest.balancer} µs in HAProxy, ${base.cpuUsPerRequest.controlAndBridge} µs in the control plane's process, ${base.cpuUsPerRequest.redis} µs in Redis, ${base.cpuUsPerRequest.postgres} µs in PostgreSQL). A session strategy can only add to it,
so the table above is the price of the strategy itself, not of serving a page.

**The distance left.** Cookie mode opens and re-seals the reader's history on every request: one unseal
(${iron.unsealMs} ms) and one seal (${iron.sealMs} ms) through iron-seal on \`node:crypto\`, the same Fe26.2 format that
iron-session 8 produces through Node's WebCrypto for ${iron.webCryptoUnsealMs} ms + ${iron.webCryptoSealMs} ms; the rest is the
larger \`Set-Cookie\` header and the codec. kv over REST pays one HTTP request per page: the client building it
(@vercel/kv on an undici pool), the bridge parsing it and speaking to Redis, and Redis running the claim script
(sent by SHA-1, never as text). Over the Redis protocol the HTTP hop is gone: what is left is the RESP command and
the script's own work in Redis. db mode pays one SQL function call per page over a pooled connection: node-postgres
building it, a PostgreSQL backend parsing, locking the reader's row, running the claim over the bitmaps in C and
committing (fsync'd: synchronous_commit is on). Memory mode costs nothing and keeps nothing (under round-robin it repeats).

This machine (${r.machine.cpus} CPUs, ${escape(r.machine.cpuModel)}, Node ${r.machine.node}) also runs the load driver and is shared, so
absolute figures move from run to run; the variants run in alternating rounds, so their *differences* are what
to read. CPU is read from \`/proc\` for the instances, Redis and PostgreSQL (the postmaster and every backend, the
exited ones included), HAProxy (master and worker) and from \`process.cpuUsage()\` for the control plane's process, which
also runs the KV bridge (scripts/lib/bench/cpu.ts), divided
by the requests served in the measured windows.

## Where the CPU goes (µs per request)

| variant | ${CPU_GROUPS.map(({ label }) => label).join(" | ")} | total |
|---|${CPU_GROUPS.map(() => "---|").join("")}---|
${cpuRows}

${balancerSection(r)}## Targets

A CPU target is judged on every round's difference: PASS when all of them meet it, FAIL when none
does, UNRESOLVED when they fall on both sides (this run cannot tell; \`npx tsx scripts/session-cost.ts\`
measures one instance with less in the way).

| target | measured | |
|---|---|---|
${targets.map((t) => `| ${t.label} | ${t.measured} | ${t.verdict === "PASS" ? "PASS" : `**${t.verdict}**`} |`).join("\n")}

## Variants

**Setup.** ${r.settings.instances} production instances behind ${r.settings.balancer}, Redis behind the KV bridge, PostgreSQL, all on one machine
together with the load driver. ${r.settings.readers} virtual readers, each with its own cookie jar and keep-alive
connection, send \`POST /api/feed {"limit":10}\` back to back; ${r.settings.secondsPerVariant} s per variant, split over ${r.settings.rounds} rounds
in alternating order after a warm-up round of every variant; catalogue of ${r.settings.catalogueSize} articles. Latency in ms.

| variant | req/s | p50 | p90 | p99 | errors | repeats | KV round trips / request | Redis scripts / request | PostgreSQL statements / request | session cookie B / request | requests |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows}

Ratios to \`baseline\` throughput: ${Object.entries(r.ratios)
    .map(([name, ratio]) => `${name} **${ratio}**`)
    .join(", ")}.

- \`baseline\`: the same handler and selection with a store that records nothing, so its repeats are expected.
- \`kv\` and \`kv-redis\` are the same store, keys and Lua scripts in the same instances; only the transport differs.
- \`memory\` under round-robin repeats: that is the bug. \`memory-sticky\` does not, while no instance dies.
- \`kv-textbook\`: GET the whole session JSON, change it, SET it with an expiry (connect-redis / flask-session).
- KV round trips are counted at the bridge (health-check PINGs left out); Redis scripts are the EVAL/EVALSHA calls in
  \`INFO commandstats\` (every other count there includes the commands a script runs inside Redis); PostgreSQL
  statements are the top-level ones in \`pg_stat_statements\` (one per round trip), the instances' readiness probe
  (\`SELECT 1\`) and the expired-session sweeper left out.
- The load generator runs in its own process; its event loop was busy ${Object.entries(r.driverUtilization)
    .map(([n, u]) => `${n} ${Math.round(u * 100)}%`)
    .join(", ")} of the measured time (near 100% would mean it, not the cluster, set the pace); the control plane and the
  KV bridge, which share one process here, were busy ${Object.entries(r.controlUtilization)
    .map(([n, u]) => `${n} ${Math.round(u * 100)}%`)
    .join(", ")}.

![Throughput by variant](bench-throughput.svg)

![p99 latency by variant](bench-p99.svg)

## Parallel tabs

Each reader sends 4 feed requests at once, round after round; an article delivered twice to one reader is a duplicate.

| mode | duplicates | articles delivered |
|---|---|---|
${Object.entries(r.parallelDuplicates)
  .map(([name, duplicates]) => `| \`${name}\` | ${duplicates} | ${r.parallelArticles[name]} |`)
  .join("\n")}

kv claims in one atomic Lua script, db in one SQL function call that locks the reader's row first; kv-textbook
and cookie read, change and write back, so parallel requests race (the last write wins).

## History

p50 feed latency for readers already shown 9,000 articles vs fresh readers (fresh, seasoned, fresh, seasoned; median):

| mode | p50 at 0 | p50 at 9,000 | ratio |
|---|---|---|---|
${Object.entries(r.history)
  .map(([name, h]) => `| \`${name}\` | ${h.p50At0} | ${h.p50At9000} | ${h.ratio} |`)
  .join("\n")}

The headline \`historyLatencyRatio\` is the largest of them: ${r.historyLatencyRatio}.

## Memory per 10,000 readers

Where each mode keeps a reader, and what it costs there. First thing in the run, on empty stores: per mode,
${r.footprint.readers.toLocaleString("en-US")} new readers each read **one page of ${r.footprint.articlesPerReader} articles** (one feed request, round-robin;
their seen-set reaches the newest end of the ${r.settings.catalogueSize.toLocaleString("en-US")}-article catalogue), after a few hundred warm-up readers; the place is
weighed before and after (scripts/lib/bench/footprint.ts). "Per 10,000" is bytes per reader × 10,000.

| mode | where it lives | per 10,000 readers | bytes per reader | by place (for ${r.footprint.readers.toLocaleString("en-US")} readers) | in the browser, per reader |
|---|---|---|---|---|---|
${r.footprint.modes
  .map(
    (f) =>
      `| \`${f.mode}\` | ${escape(f.where)} | ${f.per10kReaders === null ? "–" : `${(f.per10kReaders / 1_000_000).toFixed(1)} MB`} | ${f.bytesPerReader ?? "–"} | ${
        Object.entries(f.byPlace)
          .map(([place, bytes]) => `${place}: ${(bytes / 1_000_000).toFixed(2)} MB`)
          .join(", ") || "–"
      } | ${f.browserBytesPerReader} B |`,
  )
  .join("\n")}

- memory: each reader lives in the one instance that served its page, so the instances share the readers. Each
  instance is weighed after full garbage collections (\`/__bench/heap\`, answered only under the bench), in two parts:
  the ArrayBuffers, where the seen bitmaps live (exact), and V8's heap (approximate). The heap also grows with every
  request an instance serves, whatever it stores (${r.footprint.modes
    .filter((f) => f.controlBytesPerRequest !== null)
    .map((f) => `${f.controlBytesPerRequest} B per request here, weighed with as many cookie-mode requests`)
    .join("; ")} in alternating chunks): that growth is subtracted.
- kv: Redis's \`used_memory\`. After one page a reader has one key, its seen bitmap (a string of the newest seq ÷ 8
  bytes) with an expiry; the read bitmap's key appears when an article is opened.
- db: the table with its indexes (primary key, expires_at) and TOAST; the first claim inserts the row and updates it in
  the same transaction, so the figure includes that dead first version until vacuum reuses its space.
- In the browser: the session cookie (name=value) the browser keeps and sends back with every request: the whole
  seen-set sealed in cookie mode, a signed 128-bit id in the others.
- Feed requests that answered 503 while the readers were created (the store too slow; nothing recorded) and were tried
  again: ${r.footprint.modes.map((f) => `${f.mode} ${f.retried503}`).join(", ")}.

## Cookie bytes

Set-Cookie bytes (sealed value in brackets), measured on the real CookieStore and iron-session seal:

| articles | seen in feed order | all seen, then this many opened at random |
|---|---|---|
${curveRows}

![Cookie bytes vs articles](bench-cookie-bytes.svg)
`;
}
