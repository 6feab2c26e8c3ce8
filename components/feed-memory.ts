/**
 * The feed this tab last showed, kept in sessionStorage, so that Back, Forward and "Back to your
 * feed" bring back the same pages at the same scroll position without asking the server for more.
 * Only a fresh page load (a reload, or opening the site anew) loads the next unseen page: that is
 * the promise at work, and the feed says so once.
 */
import type { ArticleSummary } from "@/lib/news/article";

export interface FeedBatch {
  n: number;
  instance: string;
  articles: ArticleSummary[];
  /** Ids this tab had already been shown before this batch: flagged red. */
  repeats: string[];
}

export interface StoredFeed {
  section: string | null;
  batches: FeedBatch[];
  remaining: number | null;
  scrollY: number;
}

const STORAGE_KEY = "newsroom.feed.v1";

export function loadFeed(): StoredFeed | null {
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "null") as StoredFeed | null;
    if (stored && Array.isArray(stored.batches) && stored.batches.length > 0) return stored;
  } catch {
    // Unreadable: behave as a first visit.
  }
  return null;
}

export function saveFeed(feed: StoredFeed): void {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(feed));
  } catch {
    // Storage full or disabled: navigation then loads a new page, as before.
  }
}

/** Remembers only the scroll position (called as the reader scrolls). */
export function saveScroll(scrollY: number): void {
  const feed = loadFeed();
  if (feed && feed.scrollY !== scrollY) saveFeed({ ...feed, scrollY });
}

export function forgetFeed(): void {
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * How the feed came to be on screen: the document's own load ("reload", "navigate",
 * "back_forward") when this is the page the browser loaded, or "client" for a navigation inside
 * the app (a link, Back/Forward between the app's own pages).
 */
export type Arrival = "reload" | "navigate" | "back_forward" | "client";

let documentArrivalUsed = false;

export function arrival(): Arrival {
  const entry = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
  const documentPath = entry ? new URL(entry.name).pathname : null;
  if (documentArrivalUsed || !entry || documentPath !== window.location.pathname) return "client";
  documentArrivalUsed = true;
  return entry.type === "reload" || entry.type === "back_forward" ? entry.type : "navigate";
}
