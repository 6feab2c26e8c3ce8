"use client";

import { usePathname } from "next/navigation";
import { useEffect, useId, useLayoutEffect, useRef, useSyncExternalStore } from "react";
import { instanceColor } from "./instance-colors";
import { clearCalls, useRequestLog, type LoggedCall } from "./request-log";
import { useShownCount } from "./tab-history";
import { setStoredFlag, useStoredFlag } from "./use-stored-flag";

const OPEN_KEY = "newsroom.timeline.open";
const MAX_TITLES = 3;
/** Below this width (Tailwind's `sm`) the timeline starts collapsed on every page and is not remembered open. */
const WIDE_QUERY = "(min-width: 640px)";

function subscribeWidth(listener: () => void): () => void {
  const query = window.matchMedia(WIDE_QUERY);
  query.addEventListener("change", listener);
  return () => query.removeEventListener("change", listener);
}

/** True on tablets and desktops; null while rendering on the server. */
function useWide(): boolean | null {
  return useSyncExternalStore(
    subscribeWidth,
    () => window.matchMedia(WIDE_QUERY).matches,
    () => null,
  );
}

/** On a phone, "open" lasts for one page view: the panel would otherwise take half of every page. */
const narrowOpen = { value: false, listeners: new Set<() => void>() };

function setNarrowOpen(value: boolean): void {
  narrowOpen.value = value;
  narrowOpen.listeners.forEach((listener) => listener());
}

function useNarrowOpen(): boolean {
  return useSyncExternalStore(
    (listener) => {
      narrowOpen.listeners.add(listener);
      return () => narrowOpen.listeners.delete(listener);
    },
    () => narrowOpen.value,
    () => false,
  );
}

/**
 * Publishes the panel's height as --timeline-height, which the page reserves at its bottom
 * (globals.css): at any row count and width, nothing of the page stays hidden under it.
 */
function useReservedHeight(element: React.RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    const node = element.current;
    if (!node) return;
    const root = document.documentElement;
    const update = () => root.style.setProperty("--timeline-height", `${Math.ceil(node.getBoundingClientRect().height)}px`);
    update();
    const observer = new ResizeObserver(update);
    observer.observe(node);
    return () => {
      observer.disconnect();
      root.style.removeProperty("--timeline-height");
    };
  }, [element]);
}

function formatTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function statusClass(status: number): string {
  if (status >= 200 && status < 300) return "text-emerald-700 dark:text-emerald-400";
  if (status >= 400 && status < 500) return "text-amber-700 dark:text-amber-400";
  return "text-red-700 dark:text-red-400";
}

function TimelineRow({ call }: { call: LoggedCall }) {
  const repeated = call.repeats.length > 0;
  return (
    <li
      data-testid="timeline-row"
      data-path={call.path}
      data-method={call.method}
      data-instance={call.instance ?? ""}
      data-repeats={call.repeats.length}
      className={`grid grid-cols-[5.5rem_minmax(0,1fr)_auto] items-start gap-x-3 gap-y-1 px-3 py-2 text-xs sm:grid-cols-[6.5rem_minmax(0,1fr)_4.5rem_3.5rem_4rem_6rem] ${
        repeated ? "bg-red-50 dark:bg-red-950/60" : ""
      }`}
    >
      <time dateTime={new Date(call.at).toISOString()} className="font-mono text-zinc-500 dark:text-zinc-400">
        {formatTime(call.at)}
      </time>
      <span className="min-w-0 truncate font-mono text-zinc-800 dark:text-zinc-200" title={`${call.method} ${call.path}`}>
        <span className="font-semibold">{call.method}</span> {call.path}
        {call.mode && (
          <span className="ml-2 rounded bg-zinc-100 px-1 py-px font-sans text-[10px] uppercase text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">
            {call.mode}
          </span>
        )}
      </span>
      <span className="justify-self-end sm:justify-self-start">
        {call.instance ? (
          <span
            className={`inline-flex rounded-full px-2 py-px font-semibold ring-1 ${instanceColor(call.instance)}`}
            title={`served by instance ${call.instance}`}
          >
            {call.instance}
          </span>
        ) : (
          <span className="text-zinc-500 dark:text-zinc-400" title="No instance answered (the balancer or the network did)">
            —
          </span>
        )}
      </span>
      <span className={`font-mono ${statusClass(call.status)}`}>{call.status === 0 ? "failed" : call.status}</span>
      <span className="font-mono text-zinc-600 dark:text-zinc-300">{Math.round(call.ms)} ms</span>
      <span className="text-zinc-600 dark:text-zinc-300">
        {call.articles.length > 0 ? `${call.articles.length} article${call.articles.length === 1 ? "" : "s"}` : ""}
      </span>
      {repeated && (
        <p data-testid="timeline-repeat" className="col-span-full font-medium text-red-800 dark:text-red-200">
          <span className="mr-1 rounded bg-red-600 px-1.5 py-px text-[10px] font-bold uppercase tracking-wide text-white">
            {call.repeats.length} repeat{call.repeats.length === 1 ? "" : "s"}
          </span>
          already shown in this tab:{" "}
          {call.repeats
            .slice(0, MAX_TITLES)
            .map((a) => a.title)
            .join(" · ")}
          {call.repeats.length > MAX_TITLES && ` and ${call.repeats.length - MAX_TITLES} more`}
        </p>
      )}
      {call.note && (
        <p data-testid="timeline-note" className="col-span-full font-medium text-sky-800 dark:text-sky-300">
          {call.note}
        </p>
      )}
    </li>
  );
}

/**
 * The request timeline: a collapsible panel docked at the bottom of every page listing this
 * tab's API calls, newest first, with the instance that served each and any repeats in red.
 */
export function RequestTimeline() {
  const { calls } = useRequestLog();
  const shownCount = useShownCount();
  const wide = useWide();
  const storedOpen = useStoredFlag(OPEN_KEY) ?? false;
  const narrowIsOpen = useNarrowOpen();
  const open = wide === null ? false : wide ? storedOpen : narrowIsOpen;
  const setOpen = (value: boolean) => (wide ? setStoredFlag(OPEN_KEY, value) : setNarrowOpen(value));
  const panelId = useId();
  const aside = useRef<HTMLElement>(null);
  useReservedHeight(aside);

  // A phone starts every page with the panel folded away.
  const pathname = usePathname();
  useEffect(() => setNarrowOpen(false), [pathname]);

  const repeats = calls.reduce((sum, call) => sum + call.repeats.length, 0);
  const newestFirst = [...calls].reverse();

  return (
    <aside
      ref={aside}
      aria-label="Request timeline"
      data-testid="timeline"
      data-open={open ? "true" : "false"}
      className="fixed inset-x-0 bottom-0 z-20 border-t border-zinc-200 bg-white/95 shadow-[0_-4px_16px_rgba(0,0,0,0.06)] backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/95"
    >
      <div className="mx-auto flex max-w-5xl items-center justify-between gap-3 px-4 py-2">
        <button
          type="button"
          data-testid="timeline-toggle"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen(!open)}
          className="flex items-center gap-2 rounded-md px-2 py-1 text-sm font-medium text-zinc-800 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-zinc-100 dark:hover:bg-zinc-800"
        >
          <span aria-hidden className={`inline-block transition-transform ${open ? "rotate-90" : ""}`}>
            ▸
          </span>
          Request timeline
          <span className="text-xs font-normal text-zinc-500 dark:text-zinc-400">
            {calls.length} call{calls.length === 1 ? "" : "s"}
          </span>
          <span
            data-testid="timeline-repeat-total"
            data-count={repeats}
            className={`rounded-full px-2 py-px text-xs font-semibold ${repeats > 0 ? "bg-red-600 text-white" : "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200"}`}
          >
            {repeats} repeat{repeats === 1 ? "" : "s"}
          </span>
        </button>
        {open && (
          <div className="flex items-center gap-3 text-xs text-zinc-500 dark:text-zinc-400">
            <span className="hidden sm:inline">{shownCount} stories shown to this tab</span>
            <button
              type="button"
              onClick={clearCalls}
              className="rounded-md px-2 py-1 font-medium text-zinc-700 ring-1 ring-zinc-300 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-zinc-200 dark:ring-zinc-700 dark:hover:bg-zinc-800"
            >
              Clear
            </button>
          </div>
        )}
      </div>
      <div id={panelId} hidden={!open} className="mx-auto max-h-[30vh] max-w-5xl overflow-y-auto border-t border-zinc-100 sm:max-h-[40vh] dark:border-zinc-800">
        {calls.length === 0 ? (
          <p className="px-4 py-6 text-center text-sm text-zinc-500 dark:text-zinc-400">
            No requests yet. Load some stories and each API call will appear here.
          </p>
        ) : (
          <ol aria-label="API calls, newest first" className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {newestFirst.map((call) => (
              <TimelineRow key={call.n} call={call} />
            ))}
          </ol>
        )}
      </div>
    </aside>
  );
}

/** Lets other controls (the tour) open the timeline without sharing React state. */
export function openTimeline(): void {
  if (window.matchMedia(WIDE_QUERY).matches) setStoredFlag(OPEN_KEY, true);
  else setNarrowOpen(true);
}
