/** Stores for tests, opened through the registry with a configuration of the tests' own, as the app opens them per request. */
import type { StoreDetails } from "@/lib/api-contract";
import { parseSessionConfig, type SessionConfig } from "@/lib/session/config";
import { kvRunner } from "@/lib/session/kv/kv-client";
import { KvStore } from "@/lib/session/kv/kv-store";
import type { KvTransport } from "@/lib/session/kv/kv-transport";
import { openStore } from "@/lib/session/registry";
import type { CookieOptions, SessionStore } from "@/lib/session/store";
import type { TestJar } from "./test-jar";

export const TEST_PASSWORD = "test-secret-test-secret-test-secret-0123";

/**
 * A configuration as an instance would parse it, with the tests' secret, a one-hour TTL and Secure
 * cookies; `env` adds or overrides variables (KV_REST_API_URL…, see kvTestEnv in kv-test.ts).
 */
export function testConfig(env: Record<string, string> = {}): SessionConfig {
  return parseSessionConfig({ SESSION_SECRET: TEST_PASSWORD, SESSION_TTL_SECONDS: "3600", COOKIE_SECURE: "1", ...env });
}

const BASE = testConfig();
/** TEST_PASSWORD as the stores take it: a keyring whose one id ("1") seals and signs. */
export const TEST_KEYS = BASE.keys;
export const TEST_COOKIE_OPTIONS: CookieOptions = BASE.cookie;

/** The store of `mode` for one "request" with this jar (fresh per call, as the app builds one per request). */
export function openTestStore(mode: string, jar: TestJar, config: SessionConfig = BASE): SessionStore {
  return openStore(mode, jar, config);
}

/** A KvStore for one "request" with this jar, over a transport the test chose (REST, Redis, a cluster, one it can break). */
export function kvStoreOn(jar: TestJar, transport: KvTransport, cookie: CookieOptions = TEST_COOKIE_OPTIONS): KvStore {
  return new KvStore(
    jar,
    TEST_KEYS,
    cookie,
    kvRunner(() => transport),
  );
}

/** A store's details, checked to be of `kind` (a test failure otherwise), typed as that kind. */
export function detailsOf<K extends StoreDetails["kind"]>(details: StoreDetails, kind: K): Extract<StoreDetails, { kind: K }> {
  if (details.kind !== kind) throw new Error(`expected ${kind} details, got ${details.kind}`);
  return details as Extract<StoreDetails, { kind: K }>;
}
