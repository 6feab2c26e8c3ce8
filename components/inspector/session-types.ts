/** GET /api/session as the inspector reads it (see lib/reader.ts describeSession). */
export interface SessionView {
  mode: "cookie" | "kv" | "memory";
  instance: { id: string; pid: number; port: number | null };
  seenCount: number;
  readCount: number;
  catalogueSize: number;
  seenRanges: [number, number][];
  store: Record<string, unknown>;
}

export interface CookieStoreDetails {
  cookieName: string;
  cookieBytes: number;
  valueBytes: number;
  limitBytes: number;
  rejected?: string;
}

export interface KvStoreDetails {
  keys: [string, string] | null;
  ttlSeconds: number | null;
  ttlMs: number | null;
  bytes: number;
  usage: { key: string; valueBytes: number; memoryBytes: number | null }[];
}

export interface MemoryStoreDetails {
  heldBy: string | null;
  readersInThisProcess: number;
}
