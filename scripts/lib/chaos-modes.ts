/**
 * Which session modes `npm run chaos` puts its readers in. By default every mode the running stack
 * can serve, as its own /api/health says (each registered mode is listed there; a store that is not
 * configured says `configured: false`, with the reason), except memory: under round-robin it
 * repeats by design, and the run would only prove the bug again. `--modes a,b` picks instead, and
 * a mode the stack cannot serve is an error that says why. A mode added to the registry joins the
 * default run without a change here.
 */
import type { HealthView } from "../../lib/api-contract";

/** Modes left out unless --modes names them. */
const NOT_BY_DEFAULT = new Set(["memory"]);

/** Every mode the stack's instances register, with the reason for each one they cannot serve (null: servable). */
export async function stackModes(url: string): Promise<Map<string, string | null>> {
  const response = await fetch(`${url}/api/health`);
  if (!response.ok) throw new Error(`GET /api/health answered ${response.status}`);
  const { stores } = (await response.json()) as HealthView;
  return new Map(
    Object.entries(stores).map(([mode, store]) => {
      const reason = "configured" in store && store.configured === false ? (store.reason ?? "not configured") : null;
      return [mode, reason];
    }),
  );
}

/** The modes to run: `requested` (from --modes) checked against the stack, or every servable mode but memory. */
export function chooseModes(requested: string[] | null, modes: Map<string, string | null>): string[] {
  if (requested === null) return [...modes].filter(([mode, reason]) => reason === null && !NOT_BY_DEFAULT.has(mode)).map(([mode]) => mode);
  for (const mode of requested) {
    if (!modes.has(mode)) throw new Error(`--modes: no mode "${mode}" here; the stack's modes are ${[...modes.keys()].join(", ")}`);
    const reason = modes.get(mode);
    if (reason) throw new Error(`--modes: ${mode} mode is unavailable in this stack: ${reason}`);
  }
  return [...new Set(requested)];
}
