/**
 * The demo as a command: `npm run demo` leaving no process listening after SIGTERM, or even after
 * kill -9 of the demo itself; and a cluster started with one mismatched SESSION_SECRET flagging it.
 * Apart from cluster.test.ts (one shared stack) so that these whole-stack starts run beside it.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { ClusterState } from "@/lib/cluster-contract";
import { ROOT } from "../../scripts/lib/build";
import { freePort, isListening } from "../../scripts/lib/ports";
import { startStack } from "../../scripts/lib/stack";

describe("npm run demo", () => {
  /** Starts the demo (its own Redis and bridge) and returns it with every port it opened. */
  async function startDemo() {
    const port = await freePort();
    const env = { ...process.env };
    delete env.KV_REST_API_URL;
    delete env.KV_REST_API_TOKEN;
    const demo = spawn("npm", ["run", "demo", "--", "--port", String(port), "--instances", "1"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    demo.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!/Admin API/.test(output)) {
      if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`demo did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const ports = [port];
    for (const match of output.matchAll(/^\s+[a-z]\s+(\d+)\s+\d+$/gm)) ports.push(Number(match[1]));
    for (const match of output.matchAll(/127\.0\.0\.1:(\d+)/g)) ports.push(Number(match[1]));
    const pid = Number(/kill -TERM (\d+)/.exec(output)?.[1]);
    return { demo, output: () => output, exited, ports: [...new Set(ports)], pid };
  }

  it("starts Redis, the bridge, the instances and HAProxy, and SIGTERM leaves nothing listening", async () => {
    const { demo, output, exited, ports } = await startDemo();
    try {
      // HAProxy, the instance, Redis, the bridge, the control plane. One instance: a process group
      // left behind is the same bug with one as with two, and each start costs seconds of CPU.
      expect(ports.length).toBeGreaterThanOrEqual(5);
      expect(output()).toMatch(/Newsroom is running: http:\/\/localhost:\d+\/\?admin_token=[A-Za-z0-9_-]+/);
      expect(output(), "the Redis password is never printed").not.toMatch(/redis:\/\/:[^@\s]+@/);
      for (const p of ports) expect(await isListening(p), `port ${p} up`).toBe(true);

      demo.kill("SIGTERM");
      await exited;
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const p of ports) expect(await isListening(p), `port ${p} still listening after SIGTERM`).toBe(false);
    } finally {
      if (demo.exitCode === null) demo.kill("SIGKILL");
    }
  }, 120_000);

  it("killed with SIGKILL (no chance to clean up), it still leaves no port listening 5 s later", async () => {
    const { demo, ports, pid } = await startDemo();
    try {
      expect(pid).toBeGreaterThan(0);
      for (const p of ports) expect(await isListening(p), `port ${p} up`).toBe(true);
      process.kill(pid, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      for (const p of ports) expect(await isListening(p), `port ${p} still listening 5 s after kill -9 of the demo`).toBe(false);
    } finally {
      if (demo.exitCode === null) demo.kill("SIGKILL");
    }
  }, 120_000);
});

describe("a mismatched SESSION_SECRET", () => {
  it("is visible: /api/health fingerprints the secret, GET /__cluster flags the odd instance, and the log warns", async () => {
    const lines: string[] = [];
    const odd = await startStack({ instances: 3, port: 0, policy: "round-robin", build: false, mismatchedSecret: "b", log: (line) => lines.push(line) });
    try {
      const { instances } = (await (await fetch(`${odd.url}/__cluster`)).json()) as ClusterState;
      const byId = Object.fromEntries(instances.map((i) => [i.id, i]));
      expect(byId.a!.secretFingerprint).toMatch(/^[0-9a-f]{12}$/);
      expect(byId.a!.secretFingerprint).toBe(byId.c!.secretFingerprint);
      expect(byId.b!.secretFingerprint).not.toBe(byId.a!.secretFingerprint);
      expect(instances.map((i) => [i.id, i.secretMismatch])).toEqual([
        ["a", false],
        ["b", true],
        ["c", false],
      ]);
      expect(lines.some((line) => line.includes("WARNING") && line.includes("instance b") && line.includes("SESSION_SECRET"))).toBe(true);
      // The fingerprint is not the secret.
      const health = await (await fetch(`http://127.0.0.1:${byId.a!.port}/api/health`)).text();
      expect(health).not.toContain(process.env.SESSION_SECRET ?? "no-secret-in-env");
    } finally {
      await odd.stop();
    }
  }, 120_000);
});
