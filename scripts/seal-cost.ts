/**
 * npx tsx scripts/seal-cost.ts [-- --iterations 3000]: what one cookie-mode seal and unseal cost
 * in CPU, iron-session 8 (WebCrypto) against lib/session/cookie/iron-seal.ts (iron-webcrypto on
 * synchronous node:crypto), and what a hit in lib/session/seal-cache.ts costs against our unseal,
 * with the seal cache's expected saving per request under round-robin and sticky routing.
 *
 * CPU is process.cpuUsage() (user + system, all threads: WebCrypto's work runs on libuv's pool),
 * so other load on the machine does not count, though it still disturbs caches. Each variant runs
 * twice, in alternating order, after a warm-up. Prints only; nothing here is asserted anywhere.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sealData as ironSessionSeal, unsealData as ironSessionUnseal } from "iron-session";
import { sealData, unsealData } from "../lib/session/cookie/iron-seal";
import { sealRemembered, unsealRemembered } from "../lib/session/seal-cache";

const PASSWORD = "seal-cost-password-of-at-least-32-characters";
const TTL_SECONDS = 30 * 24 * 3600;
/** Shaped like cookie mode's sealed session ({v, s, r}, codec strings): 300 bytes of JSON. */
const SESSION = { v: 1, s: randomBytes(200).toString("base64url").slice(0, 264), r: randomBytes(12).toString("base64url") };
const ROUNDS = 2;
/** Cache hits are ~100× cheaper than any crypto: more of them, so the CPU clock's resolution does not matter. */
const HIT_ITERATIONS_FACTOR = 10;

interface Cost {
  cpuMs: number;
  wallMs: number;
}

/** CPU and wall time per call of `operation(i)`, run `iterations` times one after the other. */
async function costOf(iterations: number, operation: (i: number) => Promise<unknown>): Promise<Cost> {
  const wallStart = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await operation(i);
  const cpu = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  return { cpuMs: (cpu.user + cpu.system) / 1000 / iterations, wallMs: wallMs / iterations };
}

/** A fresh copy of a string, as each request parses its own from the Cookie header (with no cached hash). */
const freshCopy = (value: string) => Buffer.from(value, "latin1").toString("latin1");

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { iterations: { type: "string", default: "3000" } } });
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 100) throw new Error(`--iterations must be a whole number ≥ 100 (got "${values.iterations}")`);

  const ironSealed = await ironSessionSeal(SESSION, { password: PASSWORD, ttl: TTL_SECONDS });
  const ourSealed = await sealData(SESSION, { password: PASSWORD, ttl: TTL_SECONDS });
  const cachedSeal = await sealRemembered(SESSION, PASSWORD, TTL_SECONDS);
  const hitIterations = iterations * HIT_ITERATIONS_FACTOR;
  const cookieCopies = Array.from({ length: hitIterations }, () => freshCopy(cachedSeal));
  const sizes = `session JSON ${JSON.stringify(SESSION).length} B, seal ${ourSealed.length} B`;
  console.log(`[seal-cost] Node ${process.version}, ${sizes}, ${iterations} iterations × ${ROUNDS} rounds (cache hits: ×${HIT_ITERATIONS_FACTOR})`);

  const variants: Record<string, { iterations: number; run: (i: number) => Promise<unknown> }> = {
    "iron-session seal": { iterations, run: () => ironSessionSeal(SESSION, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "iron-session unseal": { iterations, run: () => ironSessionUnseal(ironSealed, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "iron-seal seal (ours)": { iterations, run: () => sealData(SESSION, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "iron-seal unseal (ours)": { iterations, run: () => unsealData(ourSealed, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "seal-cache hit": { iterations: hitIterations, run: (i) => unsealRemembered(cookieCopies[i]!, PASSWORD, TTL_SECONDS) },
  };
  const names = Object.keys(variants);
  for (const name of names) await costOf(200, variants[name]!.run); // warm-up: JIT, key caches, thread pool

  const results = new Map<string, Cost[]>(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const { iterations: n, run } = variants[name]!;
      results.get(name)!.push(await costOf(n, run));
    }
  }

  const best = (name: string) => Math.min(...results.get(name)!.map((cost) => cost.cpuMs));
  for (const [name, costs] of results) {
    const rounds = costs.map((c) => `${fmt(c.cpuMs)} ms CPU (${fmt(c.wallMs)} ms wall)`).join(", ");
    console.log(`  ${name.padEnd(24)} ${rounds}`);
  }
  const sealSpeedup = best("iron-session seal") / best("iron-seal seal (ours)");
  const unsealSpeedup = best("iron-session unseal") / best("iron-seal unseal (ours)");
  console.log(`  ours vs iron-session: seal ×${sealSpeedup.toFixed(1)} less CPU, unseal ×${unsealSpeedup.toFixed(1)} less CPU`);

  // Cookie mode unseals the incoming cookie and seals the new one on every feed request. With the
  // cache, a hit replaces our unseal; every seal, and every miss that opens, also pays remember()
  // (a shallow copy, a freeze and a Map insert), of the same order as a hit: counted as one hit each.
  const unsealMs = best("iron-seal unseal (ours)");
  const hitMs = best("seal-cache hit");
  for (const [routing, hitRate] of [
    ["round-robin over 3", 1 / 3],
    ["sticky", 1],
  ] as const) {
    const saved = hitRate * (unsealMs - hitMs) - hitMs - (1 - hitRate) * hitMs;
    console.log(
      `  seal cache, ${routing} (hit rate ${hitRate.toFixed(2)}): saves ≈ ${fmt(saved)} ms CPU per request ` +
        `(${((100 * saved) / (unsealMs + best("iron-seal seal (ours)"))).toFixed(0)}% of our seal + unseal)`,
    );
  }
}

const fmt = (ms: number) => ms.toFixed(4);

void main();
