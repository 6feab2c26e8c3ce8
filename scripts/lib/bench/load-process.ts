/**
 * The bench's load generator, in its own process (forked by load-client.ts). The balancer and
 * the KV bridge run in the bench's main process; a driver sharing their event loop would slow
 * them down and bias the very figures it measures, kv's most of all.
 *
 * It owns named groups of virtual readers (cookie jars and connections persist across rounds)
 * and answers one message at a time: setup, seed, run, result, drop.
 */
import { encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import { performance } from "node:perf_hooks";
import { emptyTally, newHistogram, runLoad, VirtualReader, type LoadTally } from "./driver";

export type LoadRequest =
  | { id: number; op: "setup"; group: string; url: string; mode: string; count: number }
  | { id: number; op: "seed"; group: string; requests: number; limit: number }
  | { id: number; op: "run"; group: string; durationMs?: number; requestsPerReader?: number; measure: boolean }
  | { id: number; op: "result"; group: string }
  | { id: number; op: "drop"; group: string };

export interface GroupResult {
  histogram: string;
  tally: LoadTally;
  repeats: number;
  /** Share of the measured time this process's event loop was busy: near 1 means the driver limited the figures. */
  driverUtilization: number;
}

export type LoadReply = { id: number; ok: true; result?: GroupResult } | { id: number; ok: false; error: string };

interface Group {
  readers: VirtualReader[];
  histogram: Histogram;
  tally: LoadTally;
  busyMs: number;
}

const groups = new Map<string, Group>();

function group(name: string): Group {
  const found = groups.get(name);
  if (!found) throw new Error(`no reader group "${name}"`);
  return found;
}

async function handle(request: LoadRequest): Promise<GroupResult | undefined> {
  switch (request.op) {
    case "setup": {
      const readers = Array.from({ length: request.count }, () => new VirtualReader(request.url));
      for (const reader of readers) {
        const response = await reader.jar.setMode(request.mode);
        if (response.status !== 200) throw new Error(`could not switch a reader to ${request.mode}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      groups.set(request.group, { readers, histogram: newHistogram(), tally: emptyTally(), busyMs: 0 });
      return undefined;
    }
    case "seed": {
      await Promise.all(
        group(request.group).readers.map(async (reader) => {
          for (let i = 0; i < request.requests; i++) {
            const response = await reader.jar.feed(request.limit);
            if (response.status !== 200) throw new Error(`seeding history failed: ${response.status}`);
          }
        }),
      );
      return undefined;
    }
    case "run": {
      const target = group(request.group);
      const before = performance.eventLoopUtilization();
      await runLoad(target.readers, {
        durationMs: request.durationMs,
        requestsPerReader: request.requestsPerReader,
        histogram: request.measure ? target.histogram : null,
        // A warm-up run counts nowhere: the figures (requests, rps, CPU per request) are of measured windows only.
        tally: request.measure ? target.tally : emptyTally(),
      });
      const used = performance.eventLoopUtilization(before);
      if (request.measure) target.busyMs += used.active;
      return undefined;
    }
    case "result": {
      const target = group(request.group);
      return {
        histogram: encodeIntoCompressedBase64(target.histogram),
        tally: target.tally,
        repeats: target.readers.reduce((sum, r) => sum + r.repeats, 0),
        driverUtilization: target.tally.elapsedMs > 0 ? Math.round((target.busyMs / target.tally.elapsedMs) * 1000) / 1000 : 0,
      };
    }
    case "drop": {
      const target = groups.get(request.group);
      groups.delete(request.group);
      await Promise.all((target?.readers ?? []).map((r) => r.close()));
      return undefined;
    }
  }
}

let queue = Promise.resolve();
process.on("message", (request: LoadRequest) => {
  queue = queue.then(async () => {
    let reply: LoadReply;
    try {
      reply = { id: request.id, ok: true, result: await handle(request) };
    } catch (error) {
      reply = { id: request.id, ok: false, error: (error as Error).message };
    }
    process.send!(reply);
  });
});
// The bench going away takes its load generator with it.
process.on("disconnect", () => process.exit(0));
