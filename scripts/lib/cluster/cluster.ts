/**
 * The cluster: N production instances of the app, each its own process group, and the admin
 * operations (stop, start, scale out). It is the control plane only: the load balancer in front
 * (HAProxy, behind the DataPlane interface) carries every request, runs its own health checks and
 * keeps the policy; the cluster tells it when an instance joins or leaves, and reads back what it
 * does. Its jobs are split: health-checks.ts probes every instance each second for what the
 * cluster page shows (readers held, store readiness, replication), secret-watch.ts flags an
 * instance with another SESSION_SECRET; this file starts, stops and lists instances.
 */
import { POLICIES, type InstanceRecord, type InstanceStatus, type Policy, type ReplicationSettingsView } from "../../../lib/cluster-contract";
import { startInstance, type AppInstance } from "../app-instance";
import { freePort } from "../ports";
import type { DataPlane } from "./data-plane";
import { checkHealth, type Checked } from "./health-checks";
import { probe, type HealthReport } from "./health-probe";
import { ReplicationControl, type ChannelMember, type PushResult } from "./replication-control";
import { majorityFingerprint, SecretWatch } from "./secret-watch";

export { POLICIES, type InstanceRecord, type InstanceStatus, type Policy };

interface Member extends Omit<Checked, "skip"> {
  /** Its replication channel's port (kept across restarts, like its HTTP port), or null without replication. */
  replicationPort: number | null;
  app: AppInstance | null;
  pid: number | null;
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
  /**
   * The load balancer carrying the traffic: told when an instance is ready or stopping, and read
   * for the policy and each instance's state. Default none: the cluster only runs processes, and
   * lists the verdicts of its own health checks (tests of the processes alone).
   */
  dataPlane?: DataPlane;
}

/** GET /__cluster's view of the instances and the policy, as the balancer reports them. */
export interface ClusterView {
  balancer: string | null;
  policy: Policy;
  instances: InstanceRecord[];
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

  /** The instances as the control plane knows them (its own health checks); view() adds what the balancer does. */
  list(): InstanceRecord[] {
    const majority = majorityFingerprint(this.members);
    return this.members.map(({ id, port, pid, status, readers, secretFingerprint, kv, replication }) => ({
      id,
      port,
      pid,
      status,
      served: 0,
      readers,
      secretFingerprint,
      secretMismatch: secretFingerprint !== null && majority !== null && secretFingerprint !== majority,
      kv,
      replication,
      balancer: null,
    }));
  }

  get(id: string): InstanceRecord | undefined {
    return this.list().find((m) => m.id === id);
  }

  /**
   * The balancer's name, policy and per-instance state merged into the list: an instance is "up"
   * when the balancer has it in rotation, "starting" while the control plane is starting it, else
   * "down"; `served` is the balancer's count. Without a data plane, the control plane's own verdicts.
   */
  async view(): Promise<ClusterView> {
    const dataPlane = this.options.dataPlane;
    if (!dataPlane) return { balancer: null, policy: this.policy, instances: this.list() };
    const [policy, servers] = await Promise.all([dataPlane.policy(), dataPlane.servers()]);
    this.policy = policy;
    const instances = this.list().map((record): InstanceRecord => {
      const balancer = servers.get(record.id) ?? null;
      const starting = record.status === "starting";
      const status = starting ? "starting" : balancer?.inRotation ? "up" : "down";
      return { ...record, status, served: balancer?.served ?? 0, balancer };
    });
    return { balancer: dataPlane.name, policy, instances };
  }

  /** One instance as view() shows it. */
  async viewOf(id: string): Promise<InstanceRecord> {
    this.require(id);
    return (await this.view()).instances.find((instance) => instance.id === id)!;
  }

  async stopInstance(id: string): Promise<InstanceRecord> {
    const member = this.require(id);
    if (member.busy) throw new ClusterError(409, "BUSY", `instance ${id} is already starting or stopping`);
    member.busy = true;
    try {
      member.stoppedByAdmin = true;
      member.status = "down";
      // Out of the balancer's rotation before the process goes: new requests (sticky readers'
      // too) go elsewhere, and the ones under way finish while the instance drains on SIGTERM.
      await this.options.dataPlane?.withdraw(id);
      await member.app?.process.stop();
      member.app = null;
      member.pid = null;
      member.readers = null; // its memory went with the process
      member.replication = null;
      this.log(`[cluster] instance ${id} stopped`);
      return await this.viewOf(id);
    } finally {
      member.busy = false;
    }
  }

  async startInstance(id: string): Promise<InstanceRecord> {
    const member = this.require(id);
    if (member.busy) throw new ClusterError(409, "BUSY", `instance ${id} is already starting or stopping`);
    if (member.app?.process.alive()) throw new ClusterError(409, "ALREADY_RUNNING", `instance ${id} is already running`);
    await this.launch(member);
    return await this.viewOf(id);
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
    return await this.viewOf(member.id);
  }

  async setPolicy(policy: Policy): Promise<void> {
    await this.options.dataPlane?.setPolicy(policy);
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
      // Into the balancer's rotation: it runs its own readiness check before the first request.
      await this.options.dataPlane?.admit(member.id, member.port);
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
