/**
 * The whole local stack in one call: Redis + KV bridge (unless KV_REST_API_URL is set), PostgreSQL
 * for db mode (unless DATABASE_URL is set; without it db mode is off and the rest starts), N
 * production instances sharing one SESSION_SECRET, HAProxy in front carrying the traffic, and the
 * control plane (this process) that starts and stops instances, drives HAProxy through its
 * Runtime API and answers /__cluster. Used by `npm run demo`, the Playwright suite and the
 * benchmarks, so they all run the same thing.
 */
import { randomBytes } from "node:crypto";
import { newAdminToken } from "./control-plane/admin-guard";
import { startControlServer, type ControlServer } from "./control-plane/control-server";
import { ensureBuild } from "./build";
import type { ReplicationSettingsView } from "../../lib/cluster-contract";
import { Cluster, type Policy } from "./cluster/cluster";
import { haproxyDataPlane } from "./haproxy/data-plane";
import { startHaproxy, type RunningHaproxy } from "./haproxy/process";
import { startLocalDb, type LocalDb } from "./local-db";
import { startLocalKv, type LocalKv } from "./local-kv";
import { redisAdmin } from "./redis-admin";
import type { PostgresOptions } from "./postgres-server";
import { freePort } from "./ports";
import { allowedHostNames } from "./request-guards.mjs";
import type { AppendFsync } from "./redis-server";
import { clusterSecret, type SecretSource } from "./secret";

export const KV_TRANSPORT_CHOICES = ["rest", "redis", "mixed"] as const;
export type KvTransportChoice = (typeof KV_TRANSPORT_CHOICES)[number];

export interface StackOptions {
  instances: number;
  /** HAProxy's port; 0 picks a free one. */
  port: number;
  /** HAProxy's interface (default 127.0.0.1). */
  host?: string;
  policy: Policy;
  /**
   * Redis's append-only fsync policy: "everysec" (default, the demo) or "always" (tests, chaos:
   * nothing acknowledged is lost even if the machine dies). A killed Redis loses nothing either way.
   */
  aof?: AppendFsync;
  /** Extra env for every instance (CATALOGUE_SIZE, SESSION_TTL_SECONDS, …). */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** Build first if the sources changed (default true). */
  build?: boolean;
  /** Give this instance a SESSION_SECRET of its own: the misconfiguration the cluster page flags. */
  mismatchedSecret?: string;
  /** Keep the generated SESSION_SECRET in .newsroom/ across runs (the demo), instead of one per run (tests, bench). */
  keepSecret?: boolean;
  /** Cap on instances, scale-outs included (default 8). */
  maxInstances?: number;
  /**
   * How kv mode reaches Redis (KV_TRANSPORT): "rest" (default; @vercel/kv over the Upstash REST
   * protocol, through the local bridge), "redis" (node-redis straight to Redis: KV_URL, or
   * REDIS_CLUSTER_URLS) or "mixed" (instances take turns: a, c, … REST; b, d, … the Redis
   * protocol; one reader's requests cross both transports to the same data).
   */
  kvTransport?: KvTransportChoice;
  /** kv mode's Redis: "single" (default) or "cluster" (six nodes, three masters and three replicas; REDIS_CLUSTER_URLS for an existing one). */
  redis?: "single" | "cluster";
  /** KV_WAIT_REPLICAS (cluster only): each kv write waits for this many replicas, else 503. Default 0. */
  waitReplicas?: number;
  /** replicated mode's initial settings (default sync, no added lag); changeable at run time (PUT /__cluster/replication). */
  replication?: ReplicationSettingsView;
  /** How the local PostgreSQL is started (default: postgres-server.ts's defaults); ignored with DATABASE_URL. */
  db?: PostgresOptions;
}

export interface Stack {
  url: string;
  cluster: Cluster;
  /** The data plane: HAProxy, with its Runtime API and pids (for CPU accounting). */
  haproxy: RunningHaproxy;
  /** The control plane's own server (127.0.0.1), HAProxy's `control` backend. */
  control: ControlServer;
  kv: LocalKv;
  /** db mode's PostgreSQL (started here, external through DATABASE_URL, or disabled with the reason). */
  db: LocalDb;
  /** Where SESSION_SECRET came from: the environment, the demo's kept file, or generated for this run. */
  secretSource: SecretSource;
  /** This run's admin token: send `Authorization: Bearer <token>` with admin calls that change the cluster. */
  adminToken: string;
  /** The Host names answered besides loopback (ALLOWED_HOSTS and --host). */
  allowedHosts: string[];
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.build !== false) ensureBuild(log);
  const { secret, source: secretSource } = clusterSecret(options.keepSecret ?? false);
  const [kv, db] = await Promise.all([
    startLocalKv({ aof: options.aof ?? "everysec", quiet: true, log, redis: options.redis, waitReplicas: options.waitReplicas }),
    startLocalDb(options.db),
  ]);
  log(`[newsroom] kv: ${kv.describe}`);
  log(`[newsroom] db: ${db.describe}`);
  const kvTransport = options.kvTransport ?? "rest";
  const kvUrl = kv.env.KV_URL ?? kv.env.REDIS_CLUSTER_URLS ?? options.env?.KV_URL ?? process.env.KV_URL;
  if (kvTransport !== "rest" && !kvUrl) {
    await Promise.all([kv.stop(), db.stop()]);
    throw new Error(`--kv-transport ${kvTransport} needs a Redis to talk to: set KV_URL=redis://… (or unset KV_REST_API_URL so a local Redis is started)`);
  }
  const protocol = kv.env.REDIS_CLUSTER_URLS ? "Redis protocol (node-redis's cluster client, REDIS_CLUSTER_URLS)" : "Redis protocol (node-redis, KV_URL)";
  const rest = "REST (@vercel/kv over the Upstash protocol)";
  log(`[newsroom] kv transport: ${kvTransport === "rest" ? rest : kvTransport === "redis" ? protocol : `mixed: a, c, … ${rest}; b, d, … ${protocol}`}`);
  /** Instance ids are letters: a, c, e, … take REST in a mixed cluster. */
  const transportOf = (id: string) => (kvTransport === "mixed" ? ((id.charCodeAt(0) - 97) % 2 === 0 ? "rest" : "redis") : kvTransport);
  const allowedHosts = allowedHostNames(options.env?.ALLOWED_HOSTS ?? process.env.ALLOWED_HOSTS, options.host);
  const adminToken = newAdminToken();
  const env = { ...options.env, ...kv.env, ...db.env, SESSION_SECRET: secret, ALLOWED_HOSTS: allowedHosts.join(",") };
  let haproxy: RunningHaproxy | undefined;
  let control: ControlServer | undefined;
  let cluster: Cluster | undefined;
  try {
    // HAProxy first, with every slot in maintenance: until an instance is ready it sends every
    // request to the control plane, which answers with the recovery page or a JSON 503.
    const controlPort = await freePort();
    haproxy = await startHaproxy({
      port: options.port === 0 ? undefined : options.port,
      host: options.host,
      policy: options.policy,
      maxInstances: options.maxInstances,
      controlPort,
      allowedHosts,
      log: (line) => log(`[haproxy] ${line}`),
    });
    cluster = new Cluster({
      instances: options.instances,
      policy: options.policy,
      maxInstances: options.maxInstances,
      replication: options.replication ?? { mode: "sync", lagMs: 0 },
      env,
      envFor: (id) => ({
        KV_TRANSPORT: transportOf(id),
        ...(id === options.mismatchedSecret ? { SESSION_SECRET: randomBytes(32).toString("base64url") } : {}),
      }),
      dataPlane: await haproxyDataPlane(haproxy),
      log,
    });
    control = await startControlServer(cluster, { port: controlPort, log, adminToken, allowedHosts, redis: redisAdmin(kv, log) });
    await cluster.start();
    log(
      `[newsroom] instances up: ${cluster
        .list()
        .map((i) => `${i.id}:${i.port}`)
        .join(" ")}`,
    );
    log(`[newsroom] ${(await cluster.view()).balancer} listening on ${haproxy.url}; control plane on 127.0.0.1:${control.port}`);
  } catch (error) {
    await cluster?.stopAll();
    await control?.close();
    await haproxy?.stop();
    await Promise.all([kv.stop(), db.stop()]);
    throw error;
  }
  const [running, plane, server] = [cluster, haproxy, control];
  return {
    url: haproxy.url,
    cluster: running,
    haproxy: plane,
    control: server,
    kv,
    db,
    secretSource,
    adminToken,
    allowedHosts,
    async stop() {
      await plane.stop();
      await Promise.all([running.stopAll(), server.close()]);
      await Promise.all([kv.stop(), db.stop()]);
    },
  };
}
