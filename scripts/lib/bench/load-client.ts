/** The bench's handle on its load-generator process (load-process.ts). */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { decodeFromCompressedBase64, type Histogram } from "hdr-histogram-js";
import type { GroupResult, LoadReply, LoadRequest } from "./load-process";

type Body<T> = T extends unknown ? Omit<T, "id"> : never;

export interface DecodedResult extends Omit<GroupResult, "histogram"> {
  histogram: Histogram;
}

export class LoadGenerator {
  private readonly child: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (reply: LoadReply) => void; reject: (error: Error) => void }>();

  constructor() {
    this.child = fork(join(__dirname, "load-process.ts"), [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (reply: LoadReply) => {
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    this.child.on("exit", (code) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the load generator exited (${code})`));
      this.pending.clear();
    });
  }

  private async call(body: Body<LoadRequest>): Promise<GroupResult | undefined> {
    const id = ++this.nextId;
    const reply = await new Promise<LoadReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...body, id } as LoadRequest);
    });
    if (!reply.ok) throw new Error(`load generator: ${reply.error}`);
    return reply.result;
  }

  setup(group: string, url: string, mode: string, count: number) {
    return this.call({ op: "setup", group, url, mode, count });
  }

  seed(group: string, requests: number, limit: number) {
    return this.call({ op: "seed", group, requests, limit });
  }

  run(group: string, options: { durationMs?: number; requestsPerReader?: number; measure: boolean }) {
    return this.call({ op: "run", group, ...options });
  }

  async result(group: string): Promise<DecodedResult> {
    const result = (await this.call({ op: "result", group }))!;
    return { ...result, histogram: decodeFromCompressedBase64(result.histogram) };
  }

  drop(group: string) {
    return this.call({ op: "drop", group });
  }

  close(): void {
    this.child.disconnect();
  }
}
