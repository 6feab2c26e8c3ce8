/** `tsx scripts/build.ts`: the production build unless it is up to date (lib/build.ts); what npm test runs beside lint and the typecheck. */
import { ensureBuild } from "./lib/build";

ensureBuild();
