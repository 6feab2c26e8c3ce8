/**
 * A misconfigured instance (no SESSION_SECRET in production, a bad CATALOGUE_SIZE or catalogue
 * file) must refuse to start with a message that says what to fix, rather than fail every
 * request later.
 */
import { getCatalogue } from "./news/catalogue";
import { instanceIdentity } from "./instance";
import { sessionConfig } from "./session/config";

export function checkStartup(): void {
  try {
    sessionConfig();
    const catalogue = getCatalogue();
    const { id, pid } = instanceIdentity();
    console.log(`[newsroom] instance ${id} (pid ${pid}) ready: ${catalogue.size} articles`);
  } catch (error) {
    console.error(`\n[newsroom] cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
