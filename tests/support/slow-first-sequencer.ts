/**
 * Integration files that start whole stacks run first. Vitest orders files by the durations it
 * cached on the last run, and by file size when it has none, which is every run on a fresh clone
 * (CI): there the longest files (small ones that start the demo or a faulty Redis) came last and
 * ran alone at the end while the other workers idled. This list, longest first, is what a fresh
 * clone measured (2026-11-22); files not in it keep Vitest's order after them. (The run is mostly
 * CPU-bound on 2 cores, so the order shortens it by little; it keeps a long file from ending it alone.)
 */
import { BaseSequencer, type TestSpecification } from "vitest/node";

const LONGEST_FIRST = [
  "tests/integration/cluster.test.ts", // 36–42 s
  "tests/integration/demo-command.test.ts", // 31 s alone (56 s with two instances per demo): two `npm run demo` processes and a stack
  "tests/integration/redis-faults.test.ts", // 28 s
  "tests/integration/hostile-input.test.ts", // 19–25 s
  "tests/integration/kv-on-redis-cluster.test.ts", // 18 s
  "tests/integration/memory-bound.test.ts", // 14 s
];

function rank(file: TestSpecification): number {
  const at = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
  return at < 0 ? LONGEST_FIRST.length : at;
}

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    // Array.prototype.sort is stable: within a rank, Vitest's own order stands.
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}
