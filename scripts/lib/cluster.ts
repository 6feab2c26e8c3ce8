/**
 * The cluster: N production instances of the app, each its own process group, with the state
 * the balancer routes on (up / down / starting, requests served) and the admin operations
 * (stop, start, scale out). Health is checked every second on /api/health; an instance that
 * fails it leaves the rotation until it passes again.
 */
import { get as httpGet } from "node:http";
import { POLICIES, type InstanceRecord, type InstanceStatus, type KvReadiness, type Policy } from "../../lib/cluster-contract";
import { startInstance, type AppInstance } from "./app-instance";
import { freePort } from "./ports";

export { POLICIES, type InstanceRecord, type InstanceStatus, type Policy };

/** What a health probe learns about an instance; null when it did not answer 200 in time. */
interface HealthReport {
  readers: number | null;
  secretFingerprint: string | null;
  kv: KvReadiness | null;
}

const MAX_HEALTH_BODY = 64 * 1024;

/**
 * Round-robin keeps two turns: one for requests that carry session work (pages, RSC, the API)
 * and one for static assets. Assets are content-hashed and the same on every instance; counted
 * in the main rotation, the number a page happens to load (cache state, chunks) would decide
 * which instance answers its next API call, and a reader's calls could keep landing on the same
 * one or two instances.
 */
export type RotationLane = "requests" | "assets";

/** An instance as the balancer routes to it. */
export type RoutedInstance = Omit<InstanceRecord, "secretMismatch">;

interface Member extends RoutedInstance {
  app: AppInstance | null;
  /** Stopped through the admin API: health checks leave it alone until it is started again. */
  stoppedByAdmin: boolean;
  /** An operation (start/stop) is running; a second one is refused. */
  busy: boolean;
  /** Health probes failed in a row. */
  failedProbes: number;
}

export interface ClusterOptions {
  instances: number;
  policy: Policy;
  /** Env for every instance (KV endpoint, SESSION_SECRET, CATALOGUE_SIZE, …). */
  env: Record<string, string | undefined>;
  /** Per-instance env overrides, e.g. a mismatched secret for one instance. */
  envFor?: (id: string) => Record<string, string | undefined>;
  log?: (line: string) => void;
  healthIntervalMs?: number;
  /** The most instances a scale-out may reach (default 8): an admin mistake cannot exhaust the machine. */
  maxInstances?: number;
}

/** Default cap on instances (`--max-instances`). */
export const DEFAULT_MAX_INSTANCES = 8;

export class ClusterError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * How long a health probe may take. Liveness is answered by the instance's front door in one turn
 * of its event loop, but a saturated instance (the chaos and bench runs drive more readers than
 * the machine serves) takes 0.5 s and more per turn, and a probe's new connection needs several:
 * with 2 s, the chaos run called a working instance dead every few seconds. 5 s, twice in a row,
 * before an instance that still accepts connections is called down (a hung one is out within about
 * 7 s); one that refuses them, having crashed or stopped, is down at once.
 */
const HEALTH_TIMEOUT_MS = 5000;
/**
 * Failed probes in a row before a running instance leaves the rotation. Never the last one up for
 * being slow: a slow answer beats a 503 for everyone (see checkHealth).
 */
const FAILURES_BEFORE_DOWN = 2;
const START_TIMEOUT_MS = 60_000;

export function instanceIdFor(index: number): string {
  return index < 26 ? String.fromCharCode(97 + index) : `i${index + 1}`;
}

export class Cluster {
  policy: Policy;
  private readonly members: Member[] = [];
  private rotation = 0;
  /** Static assets rotate on their own (see RotationLane). */
  private assetRotation = 0;
  private shuttingDown = false;
  private lastSecretWarning = "";
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly log: (line: string) => void;

  constructor(private readonly options: ClusterOptions) {
    this.policy = options.policy;
    this.log = options.log ?? ((line) => console.log(line));
  }

  /** Starts the initial instances (in parallel) and the health checks. */
  async start(): Promise<void> {
    const members = await Promise.all(Array.from({ length: this.options.instances }, async (_, i) => this.addMember(instanceIdFor(i))));
    await Promise.all(members.map((member) => this.launch(member)));
    this.healthTimer = setInterval(() => void this.checkHealth(), this.options.healthIntervalMs ?? 1000);
    this.healthTimer.unref();
  }

  list(): InstanceRecord[] {
    const majority = this.majorityFingerprint();
    return this.members.map(({ id, port, pid, status, served, readers, secretFingerprint, kv }) => ({
      id,
      port,
      pid,
      status,
      served,
      readers,
      secretFingerprint,
      secretMismatch: secretFingerprint !== null && majority !== null && secretFingerprint !== majority,
      kv,
    }));
  }

  /** The fingerprint most instances report (ties: the first instance's). */
  private majorityFingerprint(): string | null {
    const counts = new Map<string, number>();
    for (const member of this.members) if (member.secretFingerprint) counts.set(member.secretFingerprint, (counts.get(member.secretFingerprint) ?? 0) + 1);
    let best: string | null = null;
    for (const [fingerprint, count] of counts) if (best === null || count > counts.get(best)!) best = fingerprint;
    return best;
  }

  /** Says loudly, once per change, when an instance's secret differs from the others'. */
  private warnAboutSecrets(): void {
    const odd = this.list().filter((m) => m.secretMismatch).map((m) => m.id);
    const key = odd.join(",");
    if (key === this.lastSecretWarning) return;
    this.lastSecretWarning = key;
    if (odd.length === 0) return;
    this.log(
      `[cluster] WARNING: instance${odd.length > 1 ? "s" : ""} ${odd.join(", ")} run with a different SESSION_SECRET than the others. ` +
        "Cookies sealed elsewhere look forged there, so readers it serves lose their cookie-mode history and their kv session. " +
        "Give every instance the same SESSION_SECRET.",
    );
  }

  get(id: string): InstanceRecord | undefined {
    return this.list().find((m) => m.id === id);
  }

  /** The instances a request may go to right now (no secret comparison: this is on every request's path). */
  upInstances(): RoutedInstance[] {
    return this.members.filter((m) => m.status === "up");
  }

  /** Round-robin over the instances that are up, skipping any in `exclude`. */
  nextRoundRobin(exclude: ReadonlySet<string> = new Set(), lane: RotationLane = "requests"): RoutedInstance | null {
    const candidates = this.members.filter((m) => m.status === "up" && !exclude.has(m.id));
    if (candidates.length === 0) return null;
    const turn = lane === "assets" ? this.assetRotation : this.rotation;
    const chosen = candidates[turn % candidates.length]!;
    if (lane === "assets") this.assetRotation = (turn + 1) % 1_000_000;
    else this.rotation = (turn + 1) % 1_000_000;
    return chosen;
  }

  countServed(id: string): void {
    const member = this.members.find((m) => m.id === id);
    if (member) member.served++;
  }

  /** Marks an instance down at once (e.g. it refused a connection); health checks bring it back. */
  markDown(id: string): void {
    const member = this.members.find((m) => m.id === id);
    if (member && member.status === "up") member.status = "down";
  }

  async stopInstance(id: string): Promise<InstanceRecord> {
    const member = this.require(id);
    if (member.busy) throw new ClusterError(409, "BUSY", `instance ${id} is already starting or stopping`);
    member.busy = true;
    try {
      member.stoppedByAdmin = true;
      member.status = "down"; // out of the rotation before the process goes
      await member.app?.process.stop();
      member.app = null;
      member.pid = null;
      member.readers = null; // its memory went with the process
      this.log(`[cluster] instance ${id} stopped`);
      return this.get(id)!;
    } finally {
      member.busy = false;
    }
  }

  async startInstance(id: string): Promise<InstanceRecord> {
    const member = this.require(id);
    if (member.busy) throw new ClusterError(409, "BUSY", `instance ${id} is already starting or stopping`);
    if (member.app?.process.alive()) throw new ClusterError(409, "ALREADY_RUNNING", `instance ${id} is already running`);
    await this.launch(member);
    return this.get(id)!;
  }

  get maxInstances(): number {
    return this.options.maxInstances ?? DEFAULT_MAX_INSTANCES;
  }

  /** Scale out by one, the way App Engine adds an instance in a peak. */
  async addInstance(): Promise<InstanceRecord> {
    if (this.members.length >= this.maxInstances) {
      throw new ClusterError(409, "INSTANCE_LIMIT", `The cluster already has ${this.members.length} instances, its limit (--max-instances ${this.maxInstances}).`);
    }
    const member = await this.addMember(instanceIdFor(this.members.length));
    await this.launch(member);
    return this.get(member.id)!;
  }

  setPolicy(policy: Policy): void {
    this.policy = policy;
  }

  async stopAll(): Promise<void> {
    this.shuttingDown = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    await Promise.all(this.members.map((m) => m.app?.process.stop()));
  }

  private require(id: string): Member {
    const member = this.members.find((m) => m.id === id);
    if (!member) throw new ClusterError(404, "UNKNOWN_INSTANCE", `no instance "${id}"; instances are ${this.members.map((m) => m.id).join(", ")}`);
    return member;
  }

  private async addMember(id: string): Promise<Member> {
    const member: Member = {
      id,
      port: await freePort(),
      pid: null,
      status: "starting",
      served: 0,
      readers: null,
      secretFingerprint: null,
      kv: null,
      app: null,
      stoppedByAdmin: false,
      busy: false,
      failedProbes: 0,
    };
    this.members.push(member);
    return member;
  }

  private async launch(member: Member): Promise<void> {
    member.busy = true;
    member.status = "starting";
    member.stoppedByAdmin = false;
    try {
      const app = await startInstance({
        id: member.id,
        port: member.port,
        env: { ...this.options.env, ...this.options.envFor?.(member.id) },
        log: (line) => this.log(`[${member.id}] ${line}`),
      });
      member.app = app;
      member.pid = app.process.pid;
      app.process.child.once("exit", () => {
        if (member.app === app) {
          member.status = "down";
          member.pid = null;
          member.app = null;
          member.readers = null;
          if (!member.stoppedByAdmin && !this.shuttingDown) this.log(`[cluster] instance ${member.id} exited unexpectedly`);
        }
      });
      const deadline = Date.now() + START_TIMEOUT_MS;
      // Into the rotation once the instance says it is ready (warmed up), not merely listening.
      while (!(await this.probe(member.port, "/api/ready"))) {
        if (Date.now() > deadline || !app.process.alive()) throw new Error(`instance ${member.id} never became ready`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      let report: HealthReport | null;
      while (!(report = await this.probe(member.port))) {
        if (Date.now() > deadline || !app.process.alive()) throw new Error(`instance ${member.id} never became healthy`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      member.readers = report.readers;
      member.secretFingerprint = report.secretFingerprint;
      member.kv = report.kv;
      member.failedProbes = 0;
      member.status = "up";
      this.warnAboutSecrets();
    } catch (error) {
      member.status = "down";
      throw new ClusterError(500, "START_FAILED", (error as Error).message);
    } finally {
      member.busy = false;
    }
  }

  /**
   * One health probe, settled within HEALTH_TIMEOUT_MS whatever happens. Plain node:http with a
   * hard deadline rather than fetch + AbortSignal: an abort landing while the body is read could
   * leave the fetch unsettled on Node 20, and a probe that never settles stalls the cluster.
   */
  private probe(port: number, path = "/api/health"): Promise<HealthReport | null> {
    return new Promise((resolve) => {
      const request = httpGet({ host: "127.0.0.1", port, path, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_HEALTH_BODY) chunks.push(chunk);
        });
        response.once("end", () => finish(response.statusCode === 200 ? parseHealth(Buffer.concat(chunks)) : null));
        response.once("error", () => finish(null));
      });
      const timer = setTimeout(() => finish(null), HEALTH_TIMEOUT_MS);
      function finish(report: HealthReport | null) {
        clearTimeout(timer);
        request.destroy();
        resolve(report);
      }
      request.once("error", () => finish(null));
    });
  }

  private async checkHealth(): Promise<void> {
    await Promise.all(
      this.members.map(async (member) => {
        if (member.stoppedByAdmin || member.busy || !member.app) return;
        const report = await this.probe(member.port);
        if (member.stoppedByAdmin || member.busy) return; // changed while we were asking
        member.failedProbes = report ? 0 : member.failedProbes + 1;
        let next: InstanceStatus = report ? "up" : member.failedProbes >= FAILURES_BEFORE_DOWN ? "down" : member.status;
        if (next === "down" && member.status === "up" && this.members.every((m) => m === member || m.status !== "up")) {
          // The last instance up is only slow (it refused nothing): a slow answer beats a 503 for
          // everyone. If it is really dead, its refused connections mark it down at once.
          next = "up";
        }
        if (next !== member.status) this.log(`[cluster] instance ${member.id} is ${next}`);
        member.status = next;
        if (report) {
          member.readers = report.readers;
          member.secretFingerprint = report.secretFingerprint;
          member.kv = report.kv;
        } else if (next === "down") {
          member.readers = null;
          member.kv = null;
        }
      }),
    );
    this.warnAboutSecrets();
  }
}

/** Reads what the cluster shows of /api/health; a body it cannot parse still means "up" (liveness is the 200). */
function parseHealth(body: Buffer): HealthReport {
  try {
    const health = JSON.parse(body.toString("utf8")) as {
      secretFingerprint?: unknown;
      stores?: { memory?: { readers?: unknown }; kv?: { configured?: unknown; ready?: unknown } };
    };
    const readers = health.stores?.memory?.readers;
    const kv = health.stores?.kv;
    return {
      readers: typeof readers === "number" ? readers : null,
      secretFingerprint: typeof health.secretFingerprint === "string" ? health.secretFingerprint : null,
      kv: !kv ? null : kv.configured === false ? "not configured" : kv.ready === true ? "ready" : kv.ready === false ? "unreachable" : null,
    };
  } catch {
    return { readers: null, secretFingerprint: null, kv: null };
  }
}
