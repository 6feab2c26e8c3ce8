/**
 * Starts a throwaway redis-server on a free port (npm run redis) and prints its URL; with
 * `-- --cluster`, a six-node Redis Cluster (3 masters + 3 replicas) and its REDIS_CLUSTER_URLS.
 */
import { startRedisCluster } from "./lib/redis-cluster";
import { startRedis } from "./lib/redis-server";

async function main() {
  let stop: () => Promise<void>;
  if (process.argv.includes("--cluster")) {
    const cluster = await startRedisCluster();
    for (const node of await cluster.nodes()) {
      const role = node.replicaOf ? `replica of ${node.replicaOf}` : `master of slots ${node.slots.map(([from, to]) => `${from}-${to}`).join(",")}`;
      console.log(`${node.name} 127.0.0.1:${node.port} pid ${node.pid}: ${role}`);
    }
    console.log(`REDIS_CLUSTER_URLS=${cluster.urls}\n(data in ${cluster.dir}); Ctrl-C stops it`);
    stop = cluster.stop;
  } else {
    const redis = await startRedis({ aof: process.argv.includes("--aof") ? "always" : "everysec" });
    console.log(`redis-server on ${redis.url} (data in ${redis.dir}); Ctrl-C stops it`);
    stop = redis.stop;
  }
  const shutdown = () => void stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

void main();
