/**
 * This tab's own record of its API calls, for the request timeline and the header badge.
 *
 * It is a debugging aid, not the source of truth: it remembers which articles the server has
 * shown *this tab*, so a feed response that returns one of them again is flagged as a repeat
 * the moment it arrives. It lives in sessionStorage (one history per tab, kept across reloads
 * and page changes) and is read through useSyncExternalStore, so no provider is needed.
 */
import { useSyncExternalStore } from "react";

export interface LoggedArticle {
  id: string;
  title: string;
}

export interface LoggedCall {
  n: number;
  at: number;
  method: string;
  path: string;
  status: number;
  instance: string | null;
  ms: number;
  /** The session mode the server reported, when the response says. */
  mode: string | null;
  /** Articles the response returned (feed calls). */
  articles: LoggedArticle[];
  /** Of those, the ones this tab had already been shown: the bug, caught in the act. */
  repeats: LoggedArticle[];
  /** Something the reader should know about this row, e.g. that the history was reset. */
  note: string | null;
}

export interface RequestLog {
  calls: LoggedCall[];
  /** How many distinct articles this tab has been shown since the session was last forgotten. */
  shownCount: number;
}

const STORAGE_KEY = "newsroom.timeline.v1";
const MAX_CALLS = 200;
const EMPTY: RequestLog = { calls: [], shownCount: 0 };

let log: RequestLog = EMPTY;
let shown = new Set<string>();
let counter = 0;
let loaded = false;
const listeners = new Set<() => void>();

interface Stored {
  calls: LoggedCall[];
  shown: string[];
  counter: number;
}

function load(): void {
  if (loaded || typeof window === "undefined") return;
  loaded = true;
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "null") as Stored | null;
    if (stored && Array.isArray(stored.calls) && Array.isArray(stored.shown)) {
      shown = new Set(stored.shown);
      counter = Number(stored.counter) || stored.calls.length;
      log = { calls: stored.calls.slice(-MAX_CALLS), shownCount: shown.size };
    }
  } catch {
    // A corrupt or unavailable store just means this tab starts a fresh history.
  }
}

function publish(next: RequestLog): void {
  log = next;
  try {
    const stored: Stored = { calls: log.calls, shown: [...shown], counter };
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
  } catch {
    // Storage full or disabled: the timeline still works for this page view.
  }
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot(): RequestLog {
  load();
  return log;
}

export function useRequestLog(): RequestLog {
  return useSyncExternalStore(subscribe, snapshot, () => EMPTY);
}

function articlesIn(payload: unknown): LoggedArticle[] {
  const articles = (payload as { articles?: unknown } | null)?.articles;
  if (!Array.isArray(articles)) return [];
  return articles
    .filter((a): a is { id: string; title?: unknown } => typeof (a as { id?: unknown })?.id === "string")
    .map((a) => ({ id: a.id, title: typeof a.title === "string" ? a.title : a.id }));
}

/** A plain-words line for a successful cluster action, so it stands out between feed calls. */
function adminNote(method: string, path: string): string | null {
  const action = /^\/__cluster\/instances\/([^/]+)\/(stop|start)$/.exec(path);
  if (method === "POST" && action) return `Instance ${decodeURIComponent(action[1]!)} ${action[2] === "stop" ? "stopped" : "started"}.`;
  if (method === "POST" && path === "/__cluster/instances") return "A new instance joined the cluster.";
  if (method === "PUT" && path === "/__cluster/policy") return "The balancer policy changed.";
  return null;
}

/** Records one finished call and returns its row, with repeats worked out against this tab's history. */
export function recordCall(call: Omit<LoggedCall, "n" | "mode" | "articles" | "repeats" | "note">, payload: unknown): LoggedCall {
  load();
  const articles = articlesIn(payload);
  const repeats = articles.filter((a) => shown.has(a.id));
  articles.forEach((a) => shown.add(a.id));
  const mode = (payload as { mode?: unknown } | null)?.mode;
  let note = call.status >= 200 && call.status < 300 ? adminNote(call.method, call.path) : null;
  if (call.method === "DELETE" && call.path === "/api/session" && call.status === 200) {
    // The reader asked to be forgotten: stories may rightly come back, so they are not repeats.
    shown = new Set();
    note = "Session forgotten: this tab's history starts again.";
  }
  const row: LoggedCall = { ...call, n: ++counter, mode: typeof mode === "string" ? mode : null, articles, repeats, note };
  publish({ calls: [...log.calls.slice(-(MAX_CALLS - 1)), row], shownCount: shown.size });
  return row;
}

/** Empties the timeline's rows; the tab still remembers what it was shown, so repeats stay detectable. */
export function clearCalls(): void {
  load();
  publish({ calls: [], shownCount: shown.size });
}
