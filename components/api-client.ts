/**
 * The browser's one way to call the JSON API (and the balancer's admin API). Every call is
 * written to this tab's request log with the instance that answered (X-Instance-Id), so the
 * header badge and the request timeline can show it.
 */
import { recordCall, type LoggedCall } from "./request-log";
import { observeMode } from "./session-mode";

interface ApiError {
  code: string;
  message: string;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T; instance: string | null; call: LoggedCall | null }
  | { ok: false; status: number; error: ApiError; instance: string | null; call: LoggedCall | null };

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** false for background polling, which would only bury the reader's own calls. */
  record?: boolean;
  /** Ask the balancer to send this one request to that instance (if it is up): see PIN_HEADER. */
  instance?: string;
}

export async function callApi<T>(path: string, init: CallOptions = {}): Promise<ApiResult<T>> {
  const method = init.method ?? "GET";
  const record = init.record ?? true;
  const started = performance.now();
  let response: Response;
  try {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    if (init.instance) headers["X-Newsroom-Instance"] = init.instance;
    response = await fetch(path, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: "no-store",
    });
  } catch {
    const call = record ? recordCall({ at: Date.now(), method, path, status: 0, instance: null, ms: performance.now() - started }, null) : null;
    return {
      ok: false,
      status: 0,
      instance: null,
      call,
      error: { code: "NETWORK", message: "Could not reach the server. Check your connection and try again." },
    };
  }
  const instance = response.headers.get("X-Instance-Id");
  const isJson = (response.headers.get("Content-Type") ?? "").includes("json");
  const payload: unknown = isJson
    ? await response.json().catch(() => null)
    : await response.text().then(
        () => null,
        () => null,
      );
  const call = record ? recordCall({ at: Date.now(), method, path, status: response.status, instance, ms: performance.now() - started }, payload) : null;
  const mode = (payload as { mode?: unknown } | null)?.mode;
  if (response.ok && typeof mode === "string" && !path.startsWith("/__cluster")) observeMode(mode);
  if (response.ok && isJson) return { ok: true, status: response.status, data: payload as T, instance, call };
  const error = (payload as { error?: ApiError } | null)?.error;
  return {
    ok: false,
    status: response.status,
    instance,
    call,
    error: error ?? { code: `HTTP_${response.status}`, message: `The server answered ${response.status} without an explanation.` },
  };
}
