/**
 * What a Redis Cluster says about itself, read over the Redis protocol: `CLUSTER NODES` parsed
 * into roles, slot ranges and failure flags, and the health checks the launcher waits on. Shared
 * by the cluster we start (scripts/lib/redis-cluster.ts) and an existing one (REDIS_CLUSTER_URLS),
 * so /cluster shows either the same way. No process control here.
 */
import { createClient } from "redis";
import { CLUSTER_SLOTS, keySlot } from "../../lib/session/kv/key-slot";

export { CLUSTER_SLOTS } from "../../lib/session/kv/key-slot";

/** Inclusive slot range, as CLUSTER NODES prints it (`0-5460`). */
export type SlotRange = [from: number, to: number];

/** One line of CLUSTER NODES as one node sees the cluster. */
export interface ClusterNodeLine {
  nodeId: string;
  host: string;
  port: number;
  /** e.g. ["myself", "master"], ["slave"], ["master", "fail?"] */
  flags: string[];
  role: "master" | "replica";
  /** Node id of the master this replica follows; null for a master. */
  masterId: string | null;
  linkState: "connected" | "disconnected";
  slots: SlotRange[];
}

/**
 * The cluster's verdict on a node, merged over every node we could ask: `fail` once any of them
 * holds the agreed FAIL flag, `pfail` while only suspicions exist (`fail?`), `unknown` when no
 * reachable node lists it.
 */
export type ClusterVerdict = "up" | "pfail" | "fail" | "unknown";

/** One Redis node as /cluster and the inspector show it. */
export interface RedisClusterNode {
  /** n1, n2, …: launch order for a cluster we started, address order for an existing one. */
  name: string;
  host: string;
  port: number;
  /** The redis-server's pid while we run it; null when stopped or not ours. */
  pid: number | null;
  /** Our process's view: `external` when we did not start the node and cannot control it. */
  process: "running" | "paused" | "stopped" | "external";
  /** From the cluster's view; null when no reachable node lists this one. */
  nodeId: string | null;
  role: "master" | "replica" | null;
  slots: SlotRange[];
  /** Name of the master this replica follows. */
  replicaOf: string | null;
  cluster: ClusterVerdict;
  flags: string[];
}

/** Where to reach a node and how to log in. */
export interface NodeAddress {
  host: string;
  port: number;
  password?: string;
}

/** The key's slot as Redis computes it, hash tags included (`{sid}`): see lib/session/key-slot.ts. */
export function slotOf(key: string | Buffer): number {
  return keySlot(key);
}

export function parseClusterNodes(text: string): ClusterNodeLine[] {
  const lines: ClusterNodeLine[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(" ");
    if (fields.length < 8) continue;
    const [nodeId, address, flagText, master, , , , linkState, ...slotFields] = fields as [string, string, string, string, ...string[]];
    // ip:port@cport[,hostname]; a node still in handshake may have no address yet (":0@0").
    const match = /^(.*):(\d+)@\d+/.exec(address);
    if (!match) continue;
    const flags = flagText.split(",");
    const slots: SlotRange[] = [];
    for (const field of slotFields) {
      if (field.startsWith("[")) continue; // a slot migrating or importing right now, not owned
      const [from, to = from] = field.split("-").map(Number) as [number, number?];
      slots.push([from, to]);
    }
    lines.push({
      nodeId,
      host: match[1]!,
      port: Number(match[2]),
      flags,
      role: flags.includes("slave") ? "replica" : "master",
      masterId: master === "-" ? null : master,
      linkState: linkState === "connected" ? "connected" : "disconnected",
      slots,
    });
  }
  return lines;
}

/** `key:value` lines of INFO or CLUSTER INFO as a map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

export function ownsSlot(slots: SlotRange[], slot: number): boolean {
  return slots.some(([from, to]) => slot >= from && slot <= to);
}

export function countSlots(slots: SlotRange[]): number {
  return slots.reduce((sum, [from, to]) => sum + to - from + 1, 0);
}

type NodeClient = ReturnType<typeof createClient>;

/**
 * node-redis builds a client class for each distinct options object it sees (a single-entry cache
 * keyed by the options), which with the modules of `redis` costs ~50 ms of CPU, every time the
 * port changes. Duplicating one never-connected template reuses its class: polling six nodes
 * otherwise stalls the event loop for a third of a second.
 */
let template: NodeClient | undefined;

/**
 * Runs `work` on one node over a short-lived connection, bounded by `timeoutMs`: a node that was
 * SIGSTOPped still accepts TCP connections (the kernel does) but never answers.
 */
export async function withNode<T>(address: NodeAddress, work: (client: NodeClient) => Promise<T>, timeoutMs = 2000): Promise<T> {
  template ??= createClient();
  const client = template.duplicate({
    socket: { host: address.host, port: address.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    password: address.password,
  });
  client.on("error", () => {
    // Reported through the work's own rejection below.
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${address.host}:${address.port} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([client.connect().then(() => work(client)), deadline]);
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

/** One command on one node, e.g. `["WAIT", "1", "100"]`. */
export function nodeCommand(address: NodeAddress, args: string[], timeoutMs = 2000): Promise<unknown> {
  return withNode(address, (client) => client.sendCommand(args), timeoutMs);
}

/** One reachable node's answers: its CLUSTER NODES and CLUSTER INFO, or why it gave none. */
export interface NodeReport {
  address: NodeAddress;
  lines: ClusterNodeLine[];
  info: Map<string, string>;
  /** INFO replication of a replica: whether its link to the master is up. */
  replicaLinkUp: boolean | null;
}

export async function reportOf(address: NodeAddress, timeoutMs = 2000): Promise<NodeReport | null> {
  try {
    // One connection, three pipelined commands: polled every 100 ms on six nodes, connections add up.
    const [nodesText, infoText, replicationText] = await withNode(
      address,
      (client) => Promise.all([client.sendCommand(["CLUSTER", "NODES"]), client.sendCommand(["CLUSTER", "INFO"]), client.sendCommand(["INFO", "replication"])]),
      timeoutMs,
    );
    const replication = parseInfo(String(replicationText));
    const replicaLinkUp = replication.get("role") === "slave" ? replication.get("master_link_status") === "up" : null;
    return { address, lines: parseClusterNodes(String(nodesText)), info: parseInfo(String(infoText)), replicaLinkUp };
  } catch {
    return null;
  }
}

/** The node the cluster knows at `host:port`, with our process's view supplied by the caller. */
export interface NodeIdentity {
  name: string;
  host: string;
  port: number;
  pid: number | null;
  process: RedisClusterNode["process"];
}

/**
 * Merges the reports into one list: topology (role, slots, master) from the first report, which
 * the caller orders by preference; failure flags from every report, since a freshly restarted
 * node may not have heard yet what the others agreed.
 */
export function mergeView(identities: NodeIdentity[], reports: NodeReport[]): RedisClusterNode[] {
  const topology = reports[0]?.lines ?? [];
  const byAddress = (host: string, port: number) => topology.find((line) => line.port === port && sameHost(line.host, host));
  const nameOfId = (nodeId: string | null) => {
    const line = topology.find((candidate) => candidate.nodeId === nodeId);
    return line ? (identities.find((identity) => identity.port === line.port && sameHost(identity.host, line.host))?.name ?? null) : null;
  };
  return identities.map((identity) => {
    const line = byAddress(identity.host, identity.port);
    const seen = reports.flatMap((report) => report.lines.filter((other) => other.nodeId === line?.nodeId));
    const verdict: ClusterVerdict = !line
      ? "unknown"
      : seen.some((other) => other.flags.includes("fail"))
        ? "fail"
        : seen.some((other) => other.flags.includes("fail?"))
          ? "pfail"
          : "up";
    return {
      ...identity,
      nodeId: line?.nodeId ?? null,
      role: line?.role ?? null,
      slots: line?.slots ?? [],
      replicaOf: line?.role === "replica" ? nameOfId(line.masterId) : null,
      cluster: verdict,
      flags: line?.flags.filter((flag) => flag !== "myself") ?? [],
    };
  });
}

function sameHost(a: string, b: string): boolean {
  const loopback = (host: string) => host === "127.0.0.1" || host === "localhost" || host === "::1";
  return a === b || (loopback(a) && loopback(b));
}

/** Why a cluster is not healthy yet, or null when it is. */
export function unhealthyReason(reports: NodeReport[], expectedNodes: number): string | null {
  if (reports.length < expectedNodes) return `${expectedNodes - reports.length} of ${expectedNodes} nodes do not answer`;
  for (const report of reports) {
    const where = `${report.address.host}:${report.address.port}`;
    if (report.info.get("cluster_state") !== "ok") return `${where} reports cluster_state:${report.info.get("cluster_state")}`;
    const slotsOk = report.info.get("cluster_slots_ok");
    if (slotsOk !== String(CLUSTER_SLOTS)) return `${where} sees ${slotsOk} of ${CLUSTER_SLOTS} slots ok`;
    if (report.info.get("cluster_known_nodes") !== String(expectedNodes)) return `${where} knows ${report.info.get("cluster_known_nodes")} nodes`;
    const flagged = report.lines.find((line) => line.flags.some((flag) => flag === "fail" || flag === "fail?" || flag === "handshake"));
    if (flagged) return `${where} flags ${flagged.host}:${flagged.port} ${flagged.flags.join(",")}`;
    if (report.replicaLinkUp === false) return `${where} (a replica) has no link to its master yet`;
  }
  const masters = reports[0]!.lines.filter((line) => line.role === "master" && line.slots.length > 0);
  const orphan = masters.find((master) => !reports[0]!.lines.some((line) => line.masterId === master.nodeId));
  if (orphan) return `master ${orphan.host}:${orphan.port} has no replica`;
  return null;
}
