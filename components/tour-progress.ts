/**
 * How far the reader has got with the guided tour, worked out from this tab's request log
 * alone: the tour never asks the server anything of its own.
 */
import type { LoggedCall } from "./request-log";

export interface TourProgress {
  sawRepeats: boolean;
  kvCleanRun: boolean;
  survivedStop: boolean;
}

const isFeed = (call: LoggedCall) => call.method === "POST" && call.path === "/api/feed" && call.status === 200;
const isStop = (call: LoggedCall) => call.method === "POST" && /^\/__cluster\/instances\/[^/]+\/stop$/.test(call.path) && call.status === 200;

export function tourProgress(calls: readonly LoggedCall[]): TourProgress {
  const feeds = calls.filter(isFeed);
  const sawRepeats = feeds.some((call) => call.mode === "memory" && call.repeats.length > 0);
  // Two kv pages in a row with nothing repeated: the first kv page may still repeat what memory mode lost.
  const lastTwo = feeds.slice(-2);
  const kvCleanRun = lastTwo.length === 2 && lastTwo.every((call) => call.mode === "kv" && call.repeats.length === 0);
  const lastStop = calls.findLastIndex(isStop);
  const afterStop = lastStop >= 0 ? calls.slice(lastStop + 1).filter(isFeed) : [];
  const survivedStop = afterStop.length > 0 && afterStop.every((call) => call.mode !== "memory" && call.repeats.length === 0);
  return { sawRepeats, kvCleanRun, survivedStop };
}
