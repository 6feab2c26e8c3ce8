/**
 * A real Redis Cluster on loopback for `--redis cluster`: six redis-server processes, three masters
 * and three replicas, each in its own process group with its own temporary directory and config,
 * joined by `redis-cli --cluster create`. Password-protected, AOF on, and a short
 * cluster-node-timeout so a killed master's replica takes over in seconds, not Redis's default 15 s.
 * Nodes can be stopped, started, killed and frozen one by one, which is what /cluster and the
 * failover measurements need. `connectExistingCluster` gives the same read-only view of a cluster
 * we did not start (REDIS_CLUSTER_URLS).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, isFree, waitForPort } from "./ports";
import { spawnGroup, type Managed } from "./processes";
import {
  mergeView,
  nodeCommand,
  ownsSlot,
  reportOf,
  slotOf,
  unhealthyReason,
  type NodeAddress,
  type NodeIdentity,
  type NodeReport,
  type RedisClusterNode,
  type SlotRange,
} from "./redis-cluster-view";
import { ensureProgram } from "./system-deps";

export { CLUSTER_SLOTS, slotOf, type RedisClusterNode, type SlotRange } from "./redis-cluster-view";

export interface RedisClusterOptions {
  /** requirepass and masterauth of every node. Default: 24 random bytes (base64url), new on every start. */
  password?: string;
  /**
   * AOF fsync policy. `always`: a write is on disk before the client hears OK, so a node killed
   * and restarted keeps it (what the single-node outage tests rely on). `everysec`: Redis's own
   * default, up to a second of writes lost by a crashed node. Either way a replica may lack the
   * last writes of a master that dies: replication is asynchronous. Default `always`.
   */
  appendfsync?: "always" | "everysec";
  /**
   * cluster-node-timeout in ms: how long a node may be unreachable before it is suspected, and
   * with a majority of masters agreeing, failed over. Default 1000 (Redis's 15000 would make each
   * failover in the demo a quarter-minute wait); under ~500 a busy laptop starts flapping.
   */
  nodeTimeoutMs?: number;
  /** true (default): each node logs to redis.log in its own directory. false: the nodes log to our stdout. */
  quiet?: boolean;
  /** How long starting the nodes, creating the cluster and waiting for it to be healthy may take in all, in ms. Default 60000. */
  startTimeoutMs?: number;
}

/** Read-only view of a Redis Cluster: what /cluster and the inspector show. */
export interface RedisClusterView {
  /** For REDIS_CLUSTER_URLS: `redis://:<password>@127.0.0.1:<port>` per node, comma-separated. */
  urls: string;
  password: string | undefined;
  /** A fresh view from CLUSTER NODES, asked of every reachable node. */
  nodes(): Promise<RedisClusterNode[]>;
  /** The master holding the slot now, as the cluster sees it (possibly flagged failed); null if none does. */
  masterOfSlot(slot: number): Promise<RedisClusterNode | null>;
  slotOf(key: string | Buffer): number;
  /** Runs one command on one node (by name), e.g. WAIT, SCRIPT LOAD, INFO memory. */
  sendToNode(name: string, args: string[], timeoutMs?: number): Promise<unknown>;
  /**
   * Resolves once every node answers, reports cluster_state:ok with all 16384 slots ok, flags no
   * node as failing, and every master with slots has a replica whose link to it is up.
   */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
}

/** A cluster we started: the view plus control of each node's process. */
export interface LocalRedisCluster extends RedisClusterView {
  password: string;
  /** Parent of the nodes' directories (n1/, n2/, …: redis.conf, nodes.conf, AOF, redis.log). */
  dir: string;
  /** SIGTERM: a clean shutdown (AOF flushed, nodes.conf saved). */
  stopNode(name: string): Promise<void>;
  /** Starts a stopped node on the same port, directory and config: it rejoins, as a replica if its slots were taken over. */
  startNode(name: string): Promise<void>;
  /** SIGKILL the node's process group: a crash. */
  killNode(name: string): Promise<void>;
  /** SIGSTOP: the node is frozen (sockets open, no answers), as under a long GC pause or a stuck VM. */
  pauseNode(name: string): Promise<void>;
  /** SIGCONT after pauseNode. */
  resumeNode(name: string): Promise<void>;
  /**
   * After the master `name` was killed, stopped or paused: resolves with the node that now holds
   * its slots once the cluster agrees on it, or rejects after `timeoutMs` (default 20000).
   */
  waitForFailover(name: string, timeoutMs?: number): Promise<RedisClusterNode>;
  /** Stops every node and deletes the directories. */
  stop(): Promise<void>;
}

const NODE_COUNT = 6;
/** Redis Cluster's node-to-node bus listens on the client port + 10000. */
const BUS_PORT_OFFSET = 10_000;
const POLL_MS = 100;

interface NodeProcess {
  name: string;
  port: number;
  dir: string;
  managed: Managed | undefined;
  paused: boolean;
  /** Slots this node held the last time we looked before disturbing it: what waitForFailover looks for. */
  heldSlots: SlotRange[];
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<LocalRedisCluster> {
  const redisServer = ensureProgram("redis-server", "redis-server");
  const redisCli = ensureProgram("redis-cli", "redis-tools");
  const password = options.password ?? randomBytes(24).toString("base64url");
  const quiet = options.quiet ?? true;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const dir = mkdtempSync(join(tmpdir(), "newsroom-redis-cluster-"));
  const nodes: NodeProcess[] = [];
  const ports = new Set<number>();

  const launch = async (node: NodeProcess) => {
    const args = [join(node.dir, "redis.conf")];
    const managed = spawnGroup(`redis ${node.name}`, redisServer, args, { stdio: quiet ? "ignore" : "inherit" });
    try {
      await waitForPort(node.port, 10_000, managed.alive);
    } catch (error) {
      await managed.kill();
      throw new Error(`redis-server ${node.name} (port ${node.port}) did not start: ${(error as Error).message}${logTail(node)}`);
    }
    node.managed = managed;
    node.paused = false;
  };

  const view = makeView({
    password,
    identities: () => nodes.map(identityOf),
    // Ask only the nodes running unpaused: a frozen one would only cost a timeout.
    reachable: () => nodes.filter((node) => node.managed?.alive() && !node.paused).map((node) => ({ host: "127.0.0.1", port: node.port, password })),
    expectedNodes: NODE_COUNT,
  });

  try {
    for (let i = 1; i <= NODE_COUNT; i++) {
      const name = `n${i}`;
      const nodeDir = join(dir, name);
      mkdirSync(nodeDir);
      // Another program may take a port between our check and redis-server's bind: try a few.
      for (let attempt = 1; ; attempt++) {
        const port = await freeClusterPort(ports);
        const node: NodeProcess = { name, port, dir: nodeDir, managed: undefined, paused: false, heldSlots: [] };
        writeFileSync(join(nodeDir, "redis.conf"), nodeConfig(node, password, options, quiet), { mode: 0o600 });
        try {
          await launch(node);
          nodes.push(node);
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
    }
    await createCluster(redisCli, nodes, password, Math.max(1000, deadline - Date.now()));
    await view.waitUntilHealthy(Math.max(1000, deadline - Date.now()));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.managed?.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const byName = (name: string) => {
    const node = nodes.find((candidate) => candidate.name === name);
    if (!node) throw new Error(`no Redis node named ${name}: the nodes are ${nodes.map((n) => n.name).join(", ")}`);
    return node;
  };
  /** Remember what the node holds before disturbing it, so waitForFailover knows which slots to watch. */
  const rememberSlots = async (node: NodeProcess) => {
    const current = (await view.nodes()).find((candidate) => candidate.name === node.name);
    if (current?.role === "master" && current.slots.length > 0) node.heldSlots = current.slots;
  };
  const signal = (node: NodeProcess, sig: NodeJS.Signals) => {
    if (!node.managed?.alive()) throw new Error(`Redis node ${node.name} is not running: start it with startNode("${node.name}")`);
    process.kill(-node.managed.pid, sig);
  };

  return {
    ...view,
    password,
    dir,
    async stopNode(name) {
      const node = byName(name);
      await rememberSlots(node);
      if (node.paused) signal(node, "SIGCONT"); // a stopped process would not see SIGTERM
      await node.managed?.stop();
      node.paused = false;
    },
    async startNode(name) {
      const node = byName(name);
      if (node.managed?.alive()) throw new Error(`Redis node ${name} is already running (pid ${node.managed.pid})`);
      await launch(node);
    },
    async killNode(name) {
      const node = byName(name);
      if (!node.paused) await rememberSlots(node);
      await node.managed?.kill();
      node.paused = false;
    },
    async pauseNode(name) {
      const node = byName(name);
      await rememberSlots(node);
      signal(node, "SIGSTOP");
      node.paused = true;
    },
    async resumeNode(name) {
      const node = byName(name);
      signal(node, "SIGCONT");
      node.paused = false;
    },
    async waitForFailover(name, timeoutMs = 20_000) {
      const node = byName(name);
      if (node.heldSlots.length === 0) await rememberSlots(node);
      const watched = node.heldSlots[0]?.[0];
      if (watched === undefined) throw new Error(`${name} held no slots when it was disturbed: only a master's loss causes a failover`);
      const deadline = Date.now() + timeoutMs;
      let last = "";
      while (Date.now() < deadline) {
        const owner = (await view.nodes()).find((candidate) => candidate.role === "master" && ownsSlot(candidate.slots, watched));
        if (owner && owner.name !== name && owner.cluster === "up") {
          node.heldSlots = [];
          return owner;
        }
        last = owner ? `slot ${watched} is still on ${owner.name} (${owner.cluster})` : `no master holds slot ${watched}`;
        await pause(POLL_MS);
      }
      throw new Error(`no failover of ${name} within ${timeoutMs} ms: ${last}. Is its replica running, and nodeTimeoutMs shorter than the wait?`);
    },
    async stop() {
      await Promise.all(
        nodes.map(async (node) => {
          if (node.paused && node.managed?.alive()) process.kill(-node.managed.pid, "SIGCONT");
          await node.managed?.stop();
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The same read-only view of a cluster we did not start: `urls` as in REDIS_CLUSTER_URLS
 * (comma-separated `redis://[:password@]host:port`; one reachable node is enough). The nodes are
 * whatever CLUSTER NODES lists, named n1, n2, … by address.
 */
export async function connectExistingCluster(urls: string): Promise<RedisClusterView> {
  const seeds = parseClusterUrls(urls);
  const password = seeds[0]!.password;
  let identities: NodeIdentity[] = [];
  const discover = async () => {
    for (const seed of seeds) {
      const report = await reportOf(seed);
      if (!report) continue;
      identities = [...report.lines]
        .sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port)
        .map((line, i) => ({ name: `n${i + 1}`, host: line.host, port: line.port, pid: null, process: "external" as const }));
      return;
    }
    const tried = seeds.map((seed) => `${seed.host}:${seed.port}`).join(", ");
    throw new Error(`no node of REDIS_CLUSTER_URLS answered (${tried}): is the cluster up, and the password right?`);
  };
  await discover();
  return makeView({
    password,
    urls,
    identities: () => identities,
    reachable: () => identities.map((identity) => ({ host: identity.host, port: identity.port, password })),
    expectedNodes: identities.length,
  });
}

/** REDIS_CLUSTER_URLS → node addresses, each with its password. */
export function parseClusterUrls(urls: string): NodeAddress[] {
  const addresses = urls
    .split(",")
    .map((url) => url.trim())
    .filter(Boolean)
    .map((text) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new Error(`REDIS_CLUSTER_URLS: "${text}" is not a URL; write redis://:password@host:port, comma-separated`);
      }
      if (url.protocol !== "redis:") throw new Error(`REDIS_CLUSTER_URLS: "${text}" must start with redis:// (TLS is not supported here)`);
      return { host: url.hostname, port: Number(url.port || 6379), password: url.password ? decodeURIComponent(url.password) : undefined };
    });
  if (addresses.length === 0) throw new Error("REDIS_CLUSTER_URLS is empty: give at least one redis://:password@host:port");
  return addresses;
}

/**
 * Options for node-redis `createCluster` from REDIS_CLUSTER_URLS: every URL a root node, and the
 * password in `defaults` too, because the nodes the client discovers from CLUSTER SLOTS come
 * without one.
 */
export function clusterClientOptions(urls: string): { rootNodes: { url: string }[]; defaults: { password?: string } } {
  const addresses = parseClusterUrls(urls);
  return {
    rootNodes: urls
      .split(",")
      .map((url) => url.trim())
      .filter(Boolean)
      .map((url) => ({ url })),
    defaults: { password: addresses[0]!.password },
  };
}

interface ViewSource {
  password: string | undefined;
  urls?: string;
  identities(): NodeIdentity[];
  reachable(): NodeAddress[];
  expectedNodes: number;
}

function makeView(source: ViewSource): RedisClusterView {
  const reports = async (): Promise<NodeReport[]> =>
    (await Promise.all(source.reachable().map((address) => reportOf(address)))).filter((report): report is NodeReport => report !== null);
  const nodes = async () => {
    const all = await reports();
    // Topology from a node that says the cluster is ok: one that just restarted may still hold stale roles.
    all.sort((a, b) => Number(b.info.get("cluster_state") === "ok") - Number(a.info.get("cluster_state") === "ok"));
    return mergeView(source.identities(), all);
  };
  const urls = () =>
    source.urls ??
    source
      .identities()
      .map((identity) => `redis://:${encodeURIComponent(source.password ?? "")}@${identity.host}:${identity.port}`)
      .join(",");
  return {
    // A getter: a cluster being started has no nodes yet when its view is made.
    get urls() {
      return urls();
    },
    password: source.password,
    nodes,
    slotOf,
    async masterOfSlot(slot) {
      return (await nodes()).find((node) => node.role === "master" && ownsSlot(node.slots, slot)) ?? null;
    },
    async sendToNode(name, args, timeoutMs) {
      const identity = source.identities().find((candidate) => candidate.name === name);
      if (!identity) throw new Error(`no Redis node named ${name}`);
      return nodeCommand({ host: identity.host, port: identity.port, password: source.password }, args, timeoutMs);
    },
    async waitUntilHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let reason: string | null = "not asked yet";
      while (Date.now() < deadline) {
        reason = unhealthyReason(await reports(), source.expectedNodes);
        if (reason === null) return;
        await pause(POLL_MS);
      }
      throw new Error(`the Redis Cluster is not healthy after ${timeoutMs} ms: ${reason}`);
    },
  };
}

function identityOf(node: NodeProcess): NodeIdentity {
  const running = node.managed?.alive() ?? false;
  return {
    name: node.name,
    host: "127.0.0.1",
    port: node.port,
    pid: running ? node.managed!.pid : null,
    process: !running ? "stopped" : node.paused ? "paused" : "running",
  };
}

function nodeConfig(node: NodeProcess, password: string, options: RedisClusterOptions, quiet: boolean): string {
  const lines = [
    `port ${node.port}`,
    "bind 127.0.0.1",
    "protected-mode yes",
    `dir ${node.dir}`,
    "daemonize no",
    `logfile "${quiet ? join(node.dir, "redis.log") : ""}"`,
    "cluster-enabled yes",
    "cluster-config-file nodes.conf",
    `cluster-node-timeout ${options.nodeTimeoutMs ?? 1000}`,
    // A shard in failover should not stop the other two: readers on other slots keep reading.
    "cluster-require-full-coverage no",
    // A replica (or a restarted old master) syncs at once: the default waits 5 s for more replicas to share one transfer.
    "repl-diskless-sync-delay 0",
    "appendonly yes",
    `appendfsync ${options.appendfsync ?? "always"}`,
    'save ""',
    // Clients and replicas alike must log in; masterauth is what a replica (or a restarted old master) uses.
    `requirepass ${quoted(password)}`,
    `masterauth ${quoted(password)}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** A redis.conf string argument: double quotes with backslash escapes, so any password survives. */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n")}"`;
}

/** A free loopback port whose cluster bus port (port + 10000) is free as well, and neither already handed out. */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = await freePort();
    const bus = port + BUS_PORT_OFFSET;
    if (bus > 65_535 || taken.has(port) || taken.has(bus) || !(await isFree(bus))) continue;
    taken.add(port);
    taken.add(bus);
    return port;
  }
  throw new Error("found no free loopback port whose port + 10000 is free too (Redis Cluster's bus port)");
}

async function createCluster(redisCli: string, nodes: NodeProcess[], password: string, timeoutMs: number): Promise<void> {
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  // The password goes in the environment, not argv, where `ps` would show it.
  const env = { ...process.env, REDISCLI_AUTH: password };
  await new Promise<void>((resolve, reject) => {
    execFile(
      redisCli,
      ["--cluster", "create", ...addresses, "--cluster-replicas", "1", "--cluster-yes"],
      { env, timeout: timeoutMs, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`redis-cli --cluster create failed (${error.message.split("\n")[0]}):\n${stdout}${stderr}`));
        else resolve();
      },
    );
  });
}

function logTail(node: NodeProcess): string {
  try {
    const lines = readFileSync(join(node.dir, "redis.log"), "utf8").trimEnd().split("\n");
    return `\nlast lines of ${join(node.dir, "redis.log")}:\n${lines.slice(-10).join("\n")}`;
  } catch {
    return "";
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
