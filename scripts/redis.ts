/** Starts a throwaway redis-server on a free port (npm run redis) and prints its URL. */
import { startRedis } from "./lib/redis-server";

async function main() {
  const redis = await startRedis({ aof: process.argv.includes("--aof") });
console.log(`redis-server on ${redis.url} (data in ${redis.dir}); Ctrl-C stops it`);
const shutdown = () => void redis.stop().then(() => process.exit(0));
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
}

void main();
