/**
 * One instance of the production build, in its own process group: `scripts/instance-server.mjs`,
 * which is `next start` plus a front door (malformed URLs and odd methods get a 4xx) and a watch on
 * its parent (a demo killed with SIGKILL leaves no instance behind).
 */
import { join } from "node:path";
import { waitForPort } from "./ports";
import { ROOT } from "./build";
import { spawnGroup, type Managed } from "./processes";

/**
 * Instances keep idle connections longer than anything in front keeps them (HAProxy drops its idle
 * server connections within seconds, `pool-purge-delay`; the control plane's one proxy, 60 s), so
 * nothing sends a request down a socket the instance is just closing (ECONNRESET).
 */
export const UPSTREAM_KEEP_ALIVE_MS = 75_000;

export interface InstanceOptions {
  id: string;
  port: number;
  env: Record<string, string | undefined>;
  /** Where the instance's stdout/stderr go; default: prefixed onto ours. */
  log?: (line: string) => void;
  /** Extra flags for its `node` (default none), e.g. --cpu-prof, which NODE_OPTIONS may not carry. */
  nodeFlags?: string[];
}

export interface AppInstance {
  id: string;
  port: number;
  process: Managed;
  url: string;
}

export async function startInstance(options: InstanceOptions): Promise<AppInstance> {
  const managed = spawnGroup(`instance ${options.id}`, process.execPath, [...(options.nodeFlags ?? []), join(ROOT, "scripts", "instance-server.mjs")], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...options.env,
      INSTANCE_ID: options.id,
      PORT: String(options.port),
      HOSTNAME: "127.0.0.1",
      KEEP_ALIVE_TIMEOUT_MS: String(UPSTREAM_KEEP_ALIVE_MS),
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = options.log ?? ((line: string) => console.log(`[${options.id}] ${line}`));
  // The last lines only, for the error message if start-up fails; the demo may run for days.
  const output: string[] = [];
  for (const stream of [managed.child.stdout, managed.child.stderr]) {
    let buffered = "";
    stream?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        if (output.length > 20) output.shift();
        log(line);
      }
    });
  }
  try {
    await waitForPort(options.port, 60_000, managed.alive);
  } catch (error) {
    await managed.stop();
    throw new Error(`instance ${options.id} did not start: ${(error as Error).message}\n${output.join("\n")}`);
  }
  return { id: options.id, port: options.port, process: managed, url: `http://127.0.0.1:${options.port}` };
}
