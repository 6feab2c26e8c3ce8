/**
 * What this browser tab has been shown, by article id, kept in sessionStorage (one history per
 * tab, surviving reloads and page changes). The feed checks every page it receives against it:
 * an article shown here before is a repeat, the promise broken before the reader's eyes.
 *
 * It is the tab's own record, not the server's: the server's seen-set is the truth for what the
 * feed may return; this set is how the UI *notices* when the server forgot (memory mode under
 * round-robin, an expired session, a changed secret).
 */

import { useSyncExternalStore } from "react";

export interface ShownArticle {
  id: string;
  seq: number;
  title: string;
}

const STORAGE_KEY = "newsroom.shown.v1";

let shown: Map<string, ShownArticle> | null = null;
const listeners = new Set<() => void>();

function load(): Map<string, ShownArticle> {
  if (shown) return shown;
  shown = new Map();
  if (typeof window === "undefined") return shown;
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "[]") as unknown;
    if (Array.isArray(stored)) {
      for (const item of stored as ShownArticle[]) {
        if (item && typeof item.id === "string" && typeof item.seq === "number")
          shown.set(item.id, { id: item.id, seq: item.seq, title: String(item.title ?? item.id) });
      }
    }
  } catch {
    // Unreadable storage: this tab starts a fresh history.
  }
  return shown;
}

function save(): void {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify([...load().values()]));
  } catch {
    // Storage full or disabled: the history still holds for this page view.
  }
  listeners.forEach((listener) => listener());
}

/** Adds a page's articles to the tab's history; returns those the tab had been shown before. */
export function recordShown(articles: readonly ShownArticle[]): ShownArticle[] {
  const history = load();
  const repeats = articles.filter((article) => history.has(article.id));
  for (const { id, seq, title } of articles) history.set(id, { id, seq, title });
  save();
  return repeats;
}

/** The tab's history starts again: the reader asked to be forgotten, or the server forgot them. */
export function resetShown(): void {
  load().clear();
  setLastCount(null);
  save();
}

const COUNT_KEY = "newsroom.server-count.v1";

interface ServerCount {
  mode: string;
  seenCount: number;
}

function setLastCount(value: ServerCount | null): void {
  try {
    if (value) window.sessionStorage.setItem(COUNT_KEY, JSON.stringify(value));
    else window.sessionStorage.removeItem(COUNT_KEY);
  } catch {
    // Without storage the check below simply never fires.
  }
}

function lastCount(): ServerCount | null {
  try {
    const value = JSON.parse(window.sessionStorage.getItem(COUNT_KEY) ?? "null") as ServerCount | null;
    return value && typeof value.seenCount === "number" && typeof value.mode === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * A feed page said the server now counts `seenCount` seen articles, `returned` of them just
 * claimed. True when the server had forgotten this reader since the tab last heard from it: the
 * count before this claim fell below the last one (an expired session, a new SESSION_SECRET, a
 * store that lost data, "forget me" in another tab). Memory mode is left out on purpose: there a
 * falling count is the bug itself, and its repeats must show as repeats.
 */
export function serverForgot(mode: string, seenCount: number, returned: number): boolean {
  const previous = lastCount();
  setLastCount({ mode, seenCount });
  if (mode === "memory" || !previous || previous.mode !== mode) return false;
  return seenCount - returned < previous.seenCount;
}

export function shownArticles(): ShownArticle[] {
  return [...load().values()];
}

export function shownCount(): number {
  return load().size;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** How many stories this tab has been shown; 0 while rendering on the server. */
export function useShownCount(): number {
  return useSyncExternalStore(subscribe, shownCount, () => 0);
}
