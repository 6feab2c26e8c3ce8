/**
 * npx tsx scripts/seal-cost.ts [-- --iterations 3000]: what one cookie-mode seal and unseal cost
 * in CPU, iron-session 8 (WebCrypto) against lib/session/cookie/iron-seal.ts (iron-webcrypto on
 * synchronous node:crypto). (It also measured the seal cache that remembered verified seals: on
 * our crypto a hit saved under 1% of a request's CPU under round-robin, so the cache was removed.)
 *
 * CPU is process.cpuUsage() (user + system, all threads: WebCrypto's work runs on libuv's pool),
 * so other load on the machine does not count, though it still disturbs caches. Each variant runs
 * twice, in alternating order, after a warm-up. Prints only; nothing here is asserted anywhere.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sealData as ironSessionSeal, unsealData as ironSessionUnseal } from "iron-session";
import { sealData, unsealData } from "../lib/session/cookie/iron-seal";

const PASSWORD = "seal-cost-password-of-at-least-32-characters";
const TTL_SECONDS = 30 * 24 * 3600;
/** Shaped like cookie mode's sealed session ({v, s, r}, codec strings): 300 bytes of JSON. */
const SESSION = { v: 1, s: randomBytes(200).toString("base64url").slice(0, 264), r: randomBytes(12).toString("base64url") };
const ROUNDS = 2;

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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { iterations: { type: "string", default: "3000" } } });
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 100) throw new Error(`--iterations must be a whole number ≥ 100 (got "${values.iterations}")`);

  const ironSealed = await ironSessionSeal(SESSION, { password: PASSWORD, ttl: TTL_SECONDS });
  const ourSealed = await sealData(SESSION, { password: PASSWORD, ttl: TTL_SECONDS });
  const sizes = `session JSON ${JSON.stringify(SESSION).length} B, seal ${ourSealed.length} B`;
  console.log(`[seal-cost] Node ${process.version}, ${sizes}, ${iterations} iterations × ${ROUNDS} rounds`);

  const variants: Record<string, { iterations: number; run: (i: number) => Promise<unknown> }> = {
    "iron-session seal": { iterations, run: () => ironSessionSeal(SESSION, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "iron-session unseal": { iterations, run: () => ironSessionUnseal(ironSealed, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "iron-seal seal (ours)": { iterations, run: () => sealData(SESSION, { password: PASSWORD, ttl: TTL_SECONDS }) },
    "iron-seal unseal (ours)": { iterations, run: () => unsealData(ourSealed, { password: PASSWORD, ttl: TTL_SECONDS }) },
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
}

const fmt = (ms: number) => ms.toFixed(4);

void main();
