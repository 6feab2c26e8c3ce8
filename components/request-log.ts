/**
 * This tab's own record of its API calls, for the request timeline and the header badge.
 *
 * A debugging aid, not the source of truth: each row says which instance answered, how fast, and
 * what came back. Feed rows are annotated by the feed itself (components/feed.tsx) with the
 * stories the tab had already been shown, so the timeline can flag them red. It lives in
 * sessionStorage (one history per tab, kept across reloads and page changes) and is read through
 * useSyncExternalStore, so no provider is needed. Clearing it changes nothing else: the tab's
 * shown-set (tab-history.ts) and the tour's ticks (tour-progress.ts) are kept apart on purpose.
 */
import { useSyncExternalStore } from "react";
import { noteInstanceStopped } from "./tour-progress";

export interface LoggedArticle {
  id: string;
  seq: number;
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
  /** Instances this tab stopped from the cluster page and has not seen started since. */
  stopped: string[];
}

const STORAGE_KEY = "newsroom.timeline.v2";
const MAX_CALLS = 200;
const EMPTY: RequestLog = { calls: [], stopped: [] };

let log: RequestLog = EMPTY;
let counter = 0;
let loaded = false;
const listeners = new Set<() => void>();

interface Stored {
  calls: LoggedCall[];
  stopped: string[];
  counter: number;
}

function load(): void {
  if (loaded || typeof window === "undefined") return;
  loaded = true;
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "null") as Stored | null;
    if (stored && Array.isArray(stored.calls)) {
      counter = Number(stored.counter) || stored.calls.length;
      log = { calls: stored.calls.slice(-MAX_CALLS), stopped: Array.isArray(stored.stopped) ? stored.stopped : [] };
    }
  } catch {
    // A corrupt or unavailable store just means this tab starts a fresh log.
  }
}

function publish(next: RequestLog): void {
  log = next;
  try {
    const stored: Stored = { calls: log.calls, stopped: log.stopped, counter };
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
    .filter((a): a is { id: string; seq?: unknown; title?: unknown } => typeof (a as { id?: unknown })?.id === "string")
    .map((a) => ({ id: a.id, seq: typeof a.seq === "number" ? a.seq : 0, title: typeof a.title === "string" ? a.title : a.id }));
}

const INSTANCE_ACTION = /^\/__cluster\/instances\/([^/]+)\/(stop|start)$/;

/** A plain-words line for a successful cluster action, so it stands out between feed calls. */
function adminNote(method: string, path: string): string | null {
  const action = INSTANCE_ACTION.exec(path);
  if (method === "POST" && action) return `Instance ${decodeURIComponent(action[1]!)} ${action[2] === "stop" ? "stopped" : "started"}.`;
  if (method === "POST" && path === "/__cluster/instances") return "A new instance joined the cluster.";
  if (method === "PUT" && path === "/__cluster/policy") return "The balancer policy changed.";
  return null;
}

/** The instances known to be stopped after this call (from this tab's own stop/start calls). */
function stoppedAfter(stopped: string[], method: string, path: string, status: number): string[] {
  const action = INSTANCE_ACTION.exec(path);
  if (method !== "POST" || !action || status < 200 || status >= 300) return stopped;
  const id = decodeURIComponent(action[1]!);
  const others = stopped.filter((s) => s !== id);
  return action[2] === "stop" ? [...others, id] : others;
}

/** Records one finished call and returns its row. */
export function recordCall(call: Omit<LoggedCall, "n" | "mode" | "articles" | "repeats" | "note">, payload: unknown): LoggedCall {
  load();
  const mode = (payload as { mode?: unknown } | null)?.mode;
  const ok = call.status >= 200 && call.status < 300;
  let note = ok ? adminNote(call.method, call.path) : null;
  if (call.method === "DELETE" && call.path === "/api/session" && ok) note = "Session forgotten: this tab's history starts again.";
  if (ok && call.method === "POST" && /\/stop$/.test(call.path) && INSTANCE_ACTION.test(call.path)) noteInstanceStopped();
  const row: LoggedCall = { ...call, n: ++counter, mode: typeof mode === "string" ? mode : null, articles: articlesIn(payload), repeats: [], note };
  // An instance that answers is evidently running again, whoever started it.
  const stopped = stoppedAfter(log.stopped, call.method, call.path, call.status).filter((id) => id !== call.instance);
  publish({ calls: [...log.calls.slice(-(MAX_CALLS - 1)), row], stopped });
  return row;
}

/** The cluster page's poll says which instances are not up: the badge must not name them. */
export function observeStoppedInstances(ids: string[]): void {
  load();
  if (ids.length === log.stopped.length && ids.every((id) => log.stopped.includes(id))) return;
  publish({ ...log, stopped: [...ids] });
}

/** Adds what the caller learned from a row's answer: the repeats the feed found, a note. */
export function annotateCall(n: number, annotation: { repeats?: LoggedArticle[]; note?: string | null }): void {
  load();
  const calls = log.calls.map((call) =>
    call.n === n ? { ...call, repeats: annotation.repeats ?? call.repeats, note: annotation.note === undefined ? call.note : annotation.note } : call,
  );
  publish({ ...log, calls });
}

/** Empties the timeline's rows and nothing else. */
export function clearCalls(): void {
  load();
  publish({ ...log, calls: [] });
}
