/**
 * One value per process, whatever bundle asks. Next.js compiles each route into its own bundle,
 * so a plain module-level variable would exist once per route: the KV client, the memory-mode map
 * or the parsed configuration must instead live on globalThis, under a key no one else uses.
 */
const SLOT = Symbol.for("newsroom.processWide");

type Holder = typeof globalThis & { [SLOT]?: Map<string, unknown> };

/** The value registered under `name` in this process, created by `create` the first time. */
export function processWide<T>(name: string, create: () => T): T {
  const holder = globalThis as Holder;
  const values = (holder[SLOT] ??= new Map());
  if (!values.has(name)) values.set(name, create());
  return values.get(name) as T;
}

/** Forgets one value, so the next processWide(name, …) creates it again (tests, a reconfigured client). */
export function forgetProcessWide(name: string): void {
  (globalThis as Holder)[SLOT]?.delete(name);
}
