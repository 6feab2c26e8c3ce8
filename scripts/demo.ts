/**
 * npm run demo: Redis + the KV bridge, N production instances, HAProxy in front and the control
 * plane behind /__cluster, one URL.
 * Flags: --instances N (default 3), --port P (HAProxy's, default 3000),
 *        --lb round-robin|sticky (default round-robin), --host H (default 127.0.0.1),
 *        --mismatched-secret ID (start that instance with its own SESSION_SECRET, to see the lesson),
 *        --max-instances N (default 8: the most a scale-out from /cluster may reach),
 *        --kv-transport rest|redis|mixed (default rest: kv mode through @vercel/kv over the Upstash REST
 *        protocol; redis: the same store over the Redis protocol with node-redis and KV_URL;
 *        mixed: instances a, c, … REST and b, d, … the Redis protocol, to the same data),
 *        --redis single|cluster (default single: one redis-server; cluster: six nodes, three masters
 *        and three replicas, or the cluster REDIS_CLUSTER_URLS names; /cluster shows and stops them),
 *        --kv-wait-replicas N (default 0; cluster only: each kv write waits for N replicas, KV_WAIT_REPLICAS),
 *        --replication sync|async (default sync: replicated mode answers after every live peer has
 *        the change; async answers first), --replication-lag MS (default 0: delay before a change
 *        leaves for a peer, a slow network to watch async repeat). Both change at run time on /cluster.
 * Env passes through to every instance (CATALOGUE_SIZE, SESSION_TTL_SECONDS, …); SESSION_SECRET
 * is generated per run when unset. Ctrl-C / SIGTERM stops every child process group.
 */
import { parseArgs } from "node:util";
import { ADMIN_LINK_PARAM, ADMIN_TOKEN_FILE, writeAdminTokenFile } from "./lib/control-plane/admin-guard";
import { DEFAULT_MAX_INSTANCES, POLICIES, type Policy } from "./lib/cluster/cluster";
import { REPLICATION_MODES, type ReplicationModeName } from "../lib/cluster-contract";
import { parseLagMs } from "../lib/session/replicated/replication-config";
import { SECRET_FILE } from "./lib/secret";
import { KV_TRANSPORT_CHOICES, startStack, type KvTransportChoice, type Stack } from "./lib/stack";

function usage(message: string): never {
  console.error(
    `${message}\nUsage: npm run demo -- [--instances 3] [--port 3000] [--lb round-robin|sticky] [--host 127.0.0.1] [--mismatched-secret b] [--max-instances 8] [--kv-transport rest|redis|mixed] [--redis single|cluster] [--kv-wait-replicas 0] [--replication sync|async] [--replication-lag 0]`,
  );
  process.exit(2);
}

function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        instances: { type: "string", default: "3" },
        port: { type: "string", default: "3000" },
        lb: { type: "string", default: "round-robin" },
        host: { type: "string", default: "127.0.0.1" },
        "mismatched-secret": { type: "string" },
        "max-instances": { type: "string", default: String(DEFAULT_MAX_INSTANCES) },
        "kv-transport": { type: "string", default: "rest" },
        redis: { type: "string", default: "single" },
        "kv-wait-replicas": { type: "string", default: "0" },
        replication: { type: "string", default: "sync" },
        "replication-lag": { type: "string", default: "0" },
      },
    });
    const instances = Number(values.instances);
    const port = Number(values.port);
    const maxInstances = Number(values["max-instances"]);
    if (!Number.isInteger(maxInstances) || maxInstances < 1 || maxInstances > 26) usage(`--max-instances must be 1..26, got "${values["max-instances"]}"`);
    if (!Number.isInteger(instances) || instances < 1 || instances > maxInstances)
      usage(`--instances must be 1..${maxInstances} (--max-instances), got "${values.instances}"`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) usage(`--port must be a port number, got "${values.port}"`);
    if (!POLICIES.includes(values.lb as Policy)) usage(`--lb must be ${POLICIES.join(" or ")}, got "${values.lb}"`);
    const mismatched = values["mismatched-secret"];
    if (mismatched !== undefined && !/^[a-z]$/.test(mismatched)) usage(`--mismatched-secret must be an instance id such as b, got "${mismatched}"`);
    const kvTransport = values["kv-transport"];
    if (!KV_TRANSPORT_CHOICES.includes(kvTransport as KvTransportChoice))
      usage(`--kv-transport must be ${KV_TRANSPORT_CHOICES.join(", ")}, got "${kvTransport}"`);
    const redis = values.redis;
    if (redis !== "single" && redis !== "cluster") usage(`--redis must be single or cluster, got "${redis}"`);
    const waitReplicas = Number(values["kv-wait-replicas"]);
    if (!Number.isInteger(waitReplicas) || waitReplicas < 0 || waitReplicas > 1)
      usage(`--kv-wait-replicas must be 0 or 1 (each master has one replica), got "${values["kv-wait-replicas"]}"`);
    if (waitReplicas > 0 && redis !== "cluster") usage("--kv-wait-replicas needs --redis cluster: one Redis has no replica to wait for");
    const replication = values.replication;
    if (!REPLICATION_MODES.includes(replication as ReplicationModeName)) usage(`--replication must be sync or async, got "${replication}"`);
    let lagMs = 0;
    try {
      lagMs = parseLagMs(values["replication-lag"]);
    } catch (error) {
      usage(`--replication-lag: ${(error as Error).message}`);
    }
    return {
      replication: { mode: replication as ReplicationModeName, lagMs },
      instances,
      port,
      policy: values.lb as Policy,
      host: values.host!,
      mismatchedSecret: mismatched,
      maxInstances,
      kvTransport: kvTransport as KvTransportChoice,
      redis: redis as "single" | "cluster",
      waitReplicas,
    };
  } catch (error) {
    usage((error as Error).message);
  }
}

async function main() {
  const flags = parseFlags();
  let stack: Stack | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log("\n[newsroom] stopping HAProxy, every instance and Redis…");
    await stack?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    stack = await startStack({ ...flags, keepSecret: true });
  } catch (error) {
    console.error(`[newsroom] demo failed to start: ${(error as Error).message}`);
    await shutdown(1);
    return;
  }
  if (stack.secretSource === "generated")
    console.log(`[newsroom] SESSION_SECRET not set: generated one, shared by every instance and kept in ${SECRET_FILE} for the next run`);
  if (stack.secretSource === "file")
    console.log(`[newsroom] SESSION_SECRET not set: using the one kept in ${SECRET_FILE} (delete it to start every reader afresh)`);
  const shownHost = flags.host === "127.0.0.1" || flags.host === "0.0.0.0" ? "localhost" : flags.host;
  writeAdminTokenFile(stack.adminToken);
  const base = `http://${shownHost}:${stack.haproxy.port}`;
  const replication = stack.cluster.replicationSettings;
  const view = await stack.cluster.view();
  console.log(
    `\n  Newsroom is running: ${base}/?${ADMIN_LINK_PARAM}=${stack.adminToken}   (balancer: ${view.balancer}, ${view.policy}` +
      `${replication ? `; replication: ${replication.mode}${replication.lagMs > 0 ? `, lag ${replication.lagMs} ms` : ""}` : ""})`,
  );
  console.log(`  Open that link once: it gives this browser the cluster controls (an HttpOnly cookie); then ${base} is enough.\n`);
  console.log("  instance  port   pid");
  for (const instance of stack.cluster.list()) console.log(`  ${instance.id.padEnd(8)}  ${String(instance.port).padEnd(5)}  ${instance.pid}`);
  console.log(`\n  Admin API: ${base}/__cluster  (changes need Authorization: Bearer <token>; the token is in ${ADMIN_TOKEN_FILE})`);
  console.log(`  Ctrl-C (or kill -TERM ${process.pid}) stops everything.\n`);
}

void main();
