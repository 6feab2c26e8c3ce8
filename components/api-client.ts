/**
 * The browser's one way to call the JSON API. It records which instance answered each call
 * (X-Instance-Id) so the header badge, and later the request timeline, can show it.
 * Plain module state + useSyncExternalStore: no provider needed.
 */
import { useSyncExternalStore } from "react";

export interface ApiCall {
  at: number;
  method: string;
  path: string;
  status: number;
  instance: string | null;
  ms: number;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T; instance: string | null }
  | { ok: false; status: number; error: { code: string; message: string }; instance: string | null };

const MAX_CALLS = 200;
let calls: ApiCall[] = [];
const listeners = new Set<() => void>();

function record(call: ApiCall): void {
  calls = [...calls.slice(-(MAX_CALLS - 1)), call];
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useApiCalls(): ApiCall[] {
  return useSyncExternalStore(subscribe, () => calls, () => calls);
}

export async function callApi<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  const method = init.method ?? "GET";
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: init.body === undefined ? undefined : { "Content-Type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: "no-store",
    });
  } catch {
    record({ at: Date.now(), method, path, status: 0, instance: null, ms: performance.now() - started });
    return { ok: false, status: 0, instance: null, error: { code: "NETWORK", message: "Could not reach the server. Check your connection and try again." } };
  }
  const instance = response.headers.get("X-Instance-Id");
  const payload: unknown = await response.json().catch(() => null);
  record({ at: Date.now(), method, path, status: response.status, instance, ms: performance.now() - started });
  if (response.ok) return { ok: true, status: response.status, data: payload as T, instance };
  const error = (payload as { error?: { code: string; message: string } } | null)?.error;
  return {
    ok: false,
    status: response.status,
    instance,
    error: error ?? { code: `HTTP_${response.status}`, message: `The server answered ${response.status}.` },
  };
}
