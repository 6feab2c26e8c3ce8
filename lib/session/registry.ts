/**
 * Every session mode, declared once. A mode says its name and label, whether this process can
 * serve it (and why not), how to open its store for one request from the parsed configuration,
 * and optionally how to probe its store's readiness. Mode resolution, switching, the API's input
 * schema, the header's switch, /api/health and the tests' store factory all read this list, so
 * adding a store is one folder plus one line in PRODUCT_MODES (see lib/session/README.md).
 */
import "server-only";
import type { ModeOption } from "../api-contract";
import { processWide } from "../process-wide";
import { cookieMode } from "./cookie/mode";
import { dbMode } from "./db/mode";
import { sessionConfig, type SessionConfig } from "./config";
import { COOKIE_NAMES } from "./cookies";
import { ModeUnavailableError } from "./errors";
import { kvMode } from "./kv/mode";
import { memoryMode } from "./memory/mode";
import { replicatedMode } from "./replicated/mode";
import type { ModeDefinition } from "./mode-definition";
import type { CookieJar, SessionStore } from "./store";

export type { ModeDefinition, ProbeResult } from "./mode-definition";

/** The product's modes, in the order the header shows them. */
const PRODUCT_MODES: readonly ModeDefinition[] = [cookieMode, kvMode, dbMode, replicatedMode, memoryMode];

/** Modes registered at start-up through the hook below (process-wide: instrumentation.ts registers them). */
function extraModes(): ModeDefinition[] {
  return processWide("extraSessionModes", () => [] as ModeDefinition[]);
}

/**
 * The registration hook: modes from outside the product (the bench's, bench/stores/registration.ts)
 * join the registry at start-up, only when their owner enables them. A name already taken is refused.
 */
export function registerModes(definitions: readonly ModeDefinition[]): void {
  for (const definition of definitions) {
    if (findMode(definition.name)) throw new Error(`session mode "${definition.name}" is already registered`);
    extraModes().push(definition);
  }
}

let cached: { extras: number; byName: Map<string, ModeDefinition> } | null = null;

function modesByName(): Map<string, ModeDefinition> {
  const extras = extraModes();
  if (cached?.extras !== extras.length) cached = { extras: extras.length, byName: new Map([...PRODUCT_MODES, ...extras].map((mode) => [mode.name, mode])) };
  return cached.byName;
}

export function registeredModes(): ModeDefinition[] {
  return [...modesByName().values()];
}

export function findMode(name: unknown): ModeDefinition | undefined {
  return typeof name === "string" ? modesByName().get(name) : undefined;
}

/** The reader's mode from the nr_mode cookie; anything unknown means the configured default. */
export function currentMode(jar: CookieJar, config: SessionConfig = sessionConfig()): string {
  const chosen = findMode(jar.get(COOKIE_NAMES.mode));
  if (chosen) return chosen.name;
  return findMode(config.defaultMode)?.name ?? "cookie";
}

/** The store of `mode` for this request; ModeUnavailableError when this process cannot serve it. */
export function openStore(mode: string, jar: CookieJar, config: SessionConfig = sessionConfig()): SessionStore {
  const definition = findMode(mode);
  if (!definition) throw new Error(`no session mode "${mode}" is registered (modes: ${[...modesByName().keys()].join(", ")})`);
  const reason = definition.unavailable(config);
  if (reason !== null) throw new ModeUnavailableError(definition.name, reason);
  return definition.open(jar, config);
}

/** What the header's switch offers: the listed modes, each with why it is unavailable here, if it is. */
export function modeOptions(config: SessionConfig = sessionConfig()): ModeOption[] {
  return registeredModes()
    .filter((mode) => mode.listed !== false)
    .map((mode) => ({ name: mode.name, label: mode.label, description: mode.description, tone: mode.tone ?? "normal", unavailable: mode.unavailable(config) }));
}
