/** Starts a throwaway PostgreSQL on a free port (npm run postgres) and prints its DATABASE_URL. */
import { startPostgres } from "./lib/postgres-server";

async function main() {
  const postgres = await startPostgres({ quiet: !process.argv.includes("--log") });
  console.log(`postgres on 127.0.0.1:${postgres.port} as ${postgres.osUser} (data in ${postgres.dir}); Ctrl-C stops it`);
  console.log(`DATABASE_URL=${postgres.url}`);
  const shutdown = () => void postgres.stop().then(() => process.exit(0));
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(`[newsroom] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
