/**
 * How far the reader has got with the guided tour. Ticks are earned from what this tab's requests
 * showed (a repeat in memory mode, two clean kv pages, clean db pages from two instances, a clean
 * page after an instance was stopped)
 * and then kept in sessionStorage on their own: clearing the request timeline, reloading or moving
 * between pages never takes a finished step back. The tour never asks the server anything itself.
 */
import { useSyncExternalStore } from "react";

export interface TourProgress {
  sawRepeats: boolean;
  kvCleanRun: boolean;
  dbCleanRun: boolean;
  replicatedCleanRun: boolean;
  survivedStop: boolean;
}

interface TourState extends TourProgress {
  /** Clean kv feed pages in a row (two tick step 2). */
  kvStreak: number;
  /** The instances that answered the clean db feed pages in a row so far (two different ones tick step 3). */
  dbStreakInstances: string[];
  /** The same for replicated mode (two different instances tick step 4). */
  replicatedStreakInstances: string[];
  /** An instance was stopped and no feed page has come since. */
  awaitingPageAfterStop: boolean;
}

const STORAGE_KEY = "newsroom.tour.progress.v1";
const INITIAL: TourState = {
  sawRepeats: false,
  kvCleanRun: false,
  dbCleanRun: false,
  replicatedCleanRun: false,
  survivedStop: false,
  kvStreak: 0,
  dbStreakInstances: [],
  replicatedStreakInstances: [],
  awaitingPageAfterStop: false,
};

let state: TourState | null = null;
const listeners = new Set<() => void>();

function current(): TourState {
  if (state) return state;
  state = INITIAL;
  try {
    const stored = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) ?? "null") as Partial<TourState> | null;
    if (stored && typeof stored === "object") state = { ...INITIAL, ...stored };
  } catch {
    // No storage: progress lasts for this page view.
  }
  return state;
}

function update(change: (previous: TourState) => TourState): void {
  const next = change(current());
  if (JSON.stringify(next) === JSON.stringify(state)) return;
  state = next;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // As above.
  }
  listeners.forEach((listener) => listener());
}

/** A feed page arrived: in which mode, from which instance, and how many of its stories this tab had already been shown. */
export function noteFeedPage(mode: string, repeats: number, instance: string): void {
  update((s) => {
    const clean = repeats === 0;
    const kvStreak = mode === "kv" && clean ? s.kvStreak + 1 : 0;
    const dbStreakInstances = mode === "db" && clean ? [...new Set([...s.dbStreakInstances, instance])] : [];
    const replicatedStreakInstances = mode === "replicated" && clean ? [...new Set([...s.replicatedStreakInstances, instance])] : [];
    return {
      ...s,
      sawRepeats: s.sawRepeats || (mode === "memory" && !clean),
      kvStreak,
      // The first kv page may still repeat what memory mode lost on other instances: two clean pages in a row.
      kvCleanRun: s.kvCleanRun || kvStreak >= 2,
      // The database's point is the same history on every instance: clean pages in a row, answered by two of them.
      dbStreakInstances,
      dbCleanRun: s.dbCleanRun || dbStreakInstances.length >= 2,
      // Replicated: every instance holds the reader, so the same test, two instances in a row.
      replicatedStreakInstances,
      replicatedCleanRun: s.replicatedCleanRun || replicatedStreakInstances.length >= 2,
      survivedStop: s.survivedStop || (s.awaitingPageAfterStop && clean && mode !== "memory"),
      awaitingPageAfterStop: false,
    };
  });
}

/** An instance was stopped from this tab (the cluster page). */
export function noteInstanceStopped(): void {
  update((s) => ({ ...s, awaitingPageAfterStop: true }));
}

/** Start the tour over (its own button; nothing else resets it). */
export function restartTour(): void {
  update(() => INITIAL);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const SERVER_SNAPSHOT: TourState = INITIAL;

export function useTourProgress(): TourProgress {
  return useSyncExternalStore(subscribe, current, () => SERVER_SNAPSHOT);
}
