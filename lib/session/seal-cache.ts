/**
 * iron-session seals and unseals cost about 0.7 ms of CPU each here (key derivation, AES and HMAC
 * through WebCrypto), which is most of a session's cost per request. A seal is a self-verifying
 * string, so once this process has sealed or successfully unsealed one exact string, it knows
 * what that string holds: later requests carrying the same cookie skip the crypto.
 *
 * Safe because the cache is keyed by the exact seal *and* the password it was verified with
 * (a cookie from another secret never matches), only verified contents go in, and an entry is
 * dropped once the seal's own expiry (written inside it by iron) has passed.
 */
import { sealData, unsealData } from "iron-session";
import type { SessionPassword } from "./config";

const MAX_ENTRIES = 5_000;

interface Entry {
  data: Readonly<Record<string, unknown>>;
  /** Epoch ms from the seal's expiration field; 0 for a seal without expiry. */
  expiresAt: number;
}

const CACHE_KEY = Symbol.for("newsroom.sealCache");
type GlobalWithCache = typeof globalThis & { [CACHE_KEY]?: Map<string, Map<string, Entry>> };

function cacheFor(password: SessionPassword): Map<string, Entry> {
  const holder = globalThis as GlobalWithCache;
  const byPassword = (holder[CACHE_KEY] ??= new Map());
  const key = typeof password === "string" ? password : JSON.stringify(password);
  let cache = byPassword.get(key);
  if (!cache) byPassword.set(key, (cache = new Map()));
  return cache;
}

/** Fe26.2*id*salt*iv*data*expiration*salt*hmac: the expiration field, in ms (0 when none). */
function expirationOf(seal: string): number {
  return Number(seal.split("*")[5]) || 0;
}

function remember(cache: Map<string, Entry>, seal: string, data: Record<string, unknown>): void {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!); // oldest first
  cache.set(seal, { data: Object.freeze({ ...data }), expiresAt: expirationOf(seal) });
}

export async function sealRemembered(data: Record<string, unknown>, password: SessionPassword, ttl: number): Promise<string> {
  const seal = await sealData(data, { password, ttl });
  remember(cacheFor(password), seal, data);
  return seal;
}

/** Like iron-session's unsealData: `{}` for a seal that is malformed, forged, foreign or expired. */
export async function unsealRemembered<T extends Record<string, unknown>>(seal: string, password: SessionPassword, ttl: number): Promise<Partial<T>> {
  const cache = cacheFor(password);
  const hit = cache.get(seal);
  if (hit) {
    if (hit.expiresAt === 0 || hit.expiresAt > Date.now()) return hit.data as Partial<T>;
    cache.delete(seal); // near or past its expiry: let iron decide, with its own clock-skew rules
  }
  const data = await unsealData<T>(seal, { password, ttl });
  if (Object.keys(data).length > 0) remember(cache, seal, data);
  return data;
}
