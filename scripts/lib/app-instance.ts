/** One `next start` instance of the production build, in its own process group. */
import { waitForPort } from "./ports";
import { nextBin, ROOT } from "./build";
import { spawnGroup, type Managed } from "./processes";

/**
 * Instances keep idle connections longer than the balancer's agent does (see balancer.ts), so the
 * balancer never sends a request down a socket the instance is just closing (ECONNRESET).
 */
export const UPSTREAM_KEEP_ALIVE_MS = 75_000;

export interface InstanceOptions {
  id: string;
  port: number;
  env: Record<string, string | undefined>;
  /** Where the instance's stdout/stderr go; default: prefixed onto ours. */
  log?: (line: string) => void;
}

export interface AppInstance {
  id: string;
  port: number;
  process: Managed;
  url: string;
}

export async function startInstance(options: InstanceOptions): Promise<AppInstance> {
  const managed = spawnGroup(`instance ${options.id}`, process.execPath, [nextBin(), "start", "-p", String(options.port), "-H", "127.0.0.1", "--keepAliveTimeout", String(UPSTREAM_KEEP_ALIVE_MS)], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, INSTANCE_ID: options.id, PORT: String(options.port), NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
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
