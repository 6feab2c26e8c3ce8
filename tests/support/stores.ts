/** Builds each store over a TestJar, the way the app does per request, for the contract tests. */
import { inject } from "vitest";
import { keyring } from "@/lib/session/config";
import { CookieStore } from "@/lib/session/cookie/cookie-store";
import { KvStore } from "@/lib/session/kv/kv-store";
import { MemoryStore } from "@/lib/session/memory/memory-store";
import type { CookieOptions, Mode, SessionStore } from "@/lib/session/store";
import { TestJar } from "./test-jar";

export const TEST_PASSWORD = "test-secret-test-secret-test-secret-0123";
/** TEST_PASSWORD as the stores take it: a keyring whose one id ("1") seals and signs. */
export const TEST_KEYS = keyring(TEST_PASSWORD);
export const TEST_COOKIE_OPTIONS: CookieOptions = { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 3600 };

/** Points the process's @vercel/kv client at the test Redis (through the real bridge). */
export function useTestKv(): void {
  const kv = inject("kv");
  process.env.KV_REST_API_URL = kv.url;
  process.env.KV_REST_API_TOKEN = kv.token;
  process.env.SESSION_SECRET ??= TEST_PASSWORD;
}

export function openTestStore(mode: Mode, jar: TestJar): SessionStore {
  switch (mode) {
    case "cookie":
      return new CookieStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS);
    case "kv":
      return new KvStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS);
    case "memory":
      return new MemoryStore(jar, TEST_KEYS, TEST_COOKIE_OPTIONS);
  }
}
