/**
 * The cluster: N production instances of the app, each its own process group, with the state
 * the balancer routes on (up / down / starting, requests served) and the admin operations
 * (stop, start, scale out). Its jobs are split: health-checks.ts gives the verdicts every second,
 * secret-watch.ts flags an instance with another SESSION_SECRET, routing.ts picks an instance
 * per request; this file starts, stops and lists instances.
 */
import { POLICIES, type InstanceRecord, type InstanceStatus, type Policy, type ReplicationSettingsView } from "../../../lib/cluster-contract";
import { startInstance, type AppInstance } from "../app-instance";
import { freePort } from "../ports";
import { checkHealth, type Checked } from "./health-checks";
import { probe, type HealthReport } from "./health-probe";
import type { RoutedInstance } from "./routing";
import { ReplicationControl, type ChannelMember, type PushResult } from "./replication-control";
import { majorityFingerprint, SecretWatch } from "./secret-watch";

export { POLICIES, type InstanceRecord, type InstanceStatus, type Policy };

interface Member extends Omit<Checked, "skip"> {
  /** Its replication channel's port (kept across restarts, like its HTTP port), or null without replication. */
  replicationPort: number | null;
  app: AppInstance | null;
  pid: number | null;
  served: number;
  /** Stopped through the admin API: health checks leave it alone until it is started again. */
  stoppedByAdmin: boolean;
  /** An operation (start/stop) is running; a second one is refused. */
  busy: boolean;
}

export interface ClusterOptions {
  instances: number;
  policy: Policy;
  /** Env for every instance (KV endpoint, SESSION_SECRET, CATALOGUE_SIZE, …). */
  env: Record<string, string | undefined>;
  /** Per-instance env overrides, e.g. a mismatched secret for one instance. */
  envFor?: (id: string) => Record<string, string | undefined>;
  log?: (line: string) => void;
  /** How often every instance's liveness is checked (default 1000 ms). */
  healthIntervalMs?: number;
  /** The most instances a scale-out may reach (default 8): an admin mistake cannot exhaust the machine. */
  maxInstances?: number;
  /**
   * replicated mode's initial settings (default sync, no added lag); false: instances get no
   * replication channel and the mode is off. Needs SESSION_SECRET in `env` (the channel's key).
   */
  replication?: ReplicationSettingsView | false;
}

/** Default cap on instances (`--max-instances`). */
export const DEFAULT_MAX_INSTANCES = 8;
const START_TIMEOUT_MS = 60_000;

export class ClusterError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An instance that is up and knows nothing yet: the record of a stand-in (measurements, tests) that no health check fills in. */
export function standInRecord(id: string, port: number, pid: number | null = null): InstanceRecord {
  return { id, port, pid, status: "up", served: 0, readers: null, secretFingerprint: null, secretMismatch: false, kv: null, replication: null };
}

export function instanceIdFor(index: number): string {
  return index < 26 ? String.fromCharCode(97 + index) : `i${index + 1}`;
}

export class Cluster {
  policy: Policy;
  private readonly members: Member[] = [];
  private shuttingDown = false;
  private healthTimer: NodeJS.Timeout | null = null;
  private readonly log: (line: string) => void;
  private readonly secrets: SecretWatch;
  private readonly replication: ReplicationControl | null;

  constructor(private readonly options: ClusterOptions) {
    this.policy = options.policy;
    this.log = options.log ?? ((line) => console.log(line));
    this.secrets = new SecretWatch(this.log);
    const secret = options.env.SESSION_SECRET;
    if (options.replication !== false && !secret)
      throw new Error("replicated mode needs SESSION_SECRET in the cluster's env (its channel key is derived from it)");
    this.replication = options.replication === false ? null : new ReplicationControl(secret!, options.replication ?? { mode: "sync", lagMs: 0 });
  }

  /** The replication settings in force, or null when the cluster runs without replication. */
  get replicationSettings(): ReplicationSettingsView | null {
    return this.replication?.current ?? null;
  }

  /** Changes sync/async and the lag on every running instance (a stopped one gets them when it starts). */
  async setReplication(next: Partial<ReplicationSettingsView>): Promise<PushResult[]> {
    if (!this.replication) throw new ClusterError(409, "REPLICATION_OFF", "This cluster runs without replication, so replicated mode is off.");
    const results = await this.replication.change(next, this.channelMembers());
    const settings = this.replication.current;
    this.log(`[cluster] replication is now ${settings.mode}, lag ${settings.lagMs} ms`);
    return results;
  }

  private channelMembers(): ChannelMember[] {
    return this.members
      .filter((m): m is Member & { replicationPort: number } => m.replicationPort !== null)
      .map((m) => ({ id: m.id, replicationPort: m.replicationPort, running: m.app !== null }));
  }

  /** Starts the initial instances (in parallel) and the health checks. */
  async start(): Promise<void> {
    const members = await Promise.all(Array.from({ length: this.options.instances }, async (_, i) => this.addMember(instanceIdFor(i))));
    await Promise.all(members.map((member) => this.launch(member)));
    this.healthTimer = setInterval(() => void this.checkHealth(), this.options.healthIntervalMs ?? 1000);
    this.healthTimer.unref();
  }

  list(): InstanceRecord[] {
    const majority = majorityFingerprint(this.members);
    return this.members.map(({ id, port, pid, status, served, readers, secretFingerprint, kv, replication }) => ({
      id,
      port,
      pid,
      status,
      served,
      readers,
      secretFingerprint,
      secretMismatch: secretFingerprint !== null && majority !== null && secretFingerprint !== majority,
      kv,
      replication,
    }));
  }

  get(id: string): InstanceRecord | undefined {
    return this.list().find((m) => m.id === id);
  }

  /** Every instance with its status, for routing (on every request's path: no secret comparison here). */
  routable(): readonly RoutedInstance[] {
    return this.members;
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
      member.replication = null;
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
      throw new ClusterError(
        409,
        "INSTANCE_LIMIT",
        `The cluster already has ${this.members.length} instances, its limit (--max-instances ${this.maxInstances}).`,
      );
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
      replication: null,
      replicationPort: this.replication ? await freePort() : null,
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
        env: {
          ...this.options.env,
          ...(this.replication && member.replicationPort !== null ? this.replication.envFor(member.id, member.replicationPort, this.channelMembers()) : {}),
          ...this.options.envFor?.(member.id),
        },
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
          member.replication = null;
          if (!member.stoppedByAdmin && !this.shuttingDown) this.log(`[cluster] instance ${member.id} exited unexpectedly`);
        }
      });
      const deadline = Date.now() + START_TIMEOUT_MS;
      // Into the rotation once the instance says it is ready (warmed up), not merely listening.
      while (!(await probe(member.port, "/api/ready"))) {
        if (Date.now() > deadline || !app.process.alive()) throw new Error(`instance ${member.id} never became ready`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      let report: HealthReport | null;
      while (!(report = await probe(member.port))) {
        if (Date.now() > deadline || !app.process.alive()) throw new Error(`instance ${member.id} never became healthy`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      Object.assign(member, report);
      member.failedProbes = 0;
      member.status = "up";
      this.secrets.check(this.members);
    } catch (error) {
      member.status = "down";
      throw new ClusterError(500, "START_FAILED", (error as Error).message);
    } finally {
      member.busy = false;
    }
  }

  private async checkHealth(): Promise<void> {
    const checked = this.members.map((member) => Object.assign(member, { skip: member.stoppedByAdmin || member.busy || !member.app }));
    await checkHealth(checked as (Member & Checked)[], this.log);
    this.secrets.check(this.members);
  }
}
