"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import type { HistoryPage } from "@/lib/api-contract";
import { callApi } from "../api-client";
import { formatDate } from "../format";
import { instanceColor } from "../instance-colors";
import { ResetHistory } from "../reset-history";
import { SectionPill } from "../section-pill";

const PAGE_SIZE = 20;

type Entry = HistoryPage["articles"][number];

type State =
  | { kind: "loading" }
  | { kind: "error"; code: string; message: string }
  | { kind: "ready"; page: Omit<HistoryPage, "articles">; articles: Entry[]; loadingMore: boolean; moreError: string | null };

const WHERE: Record<string, string> = {
  cookie: "from your sealed cookie",
  kv: "from Redis",
  memory: "from the memory of the instance that answered: other instances may hold other stories",
};

/**
 * "Shown to you": every article this reader's session records as seen, newest first, twenty at a
 * time, opened ones marked. Read from the server (GET /api/session/history), so it is the truth of
 * the current mode, not of this tab: the stories the feed will never show again.
 */
export function ShownToYou() {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [generation, setGeneration] = useState(0);
  const busy = useRef(false);

  const fetchPage = useCallback(async (cursor: string | null) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (cursor) query.set("cursor", cursor);
    return callApi<HistoryPage>(`/api/session/history?${query}`);
  }, []);

  useEffect(() => {
    let live = true;
    void fetchPage(null).then((result) => {
      if (!live) return;
      if (!result.ok) setState({ kind: "error", ...result.error });
      else {
        const { articles, ...page } = result.data;
        setState({ kind: "ready", page, articles, loadingMore: false, moreError: null });
      }
    });
    return () => {
      live = false;
    };
  }, [fetchPage, generation]);

  function reload() {
    setState({ kind: "loading" });
    setGeneration((g) => g + 1);
  }

  async function loadMore() {
    if (state.kind !== "ready" || !state.page.nextCursor || busy.current) return;
    busy.current = true;
    setState({ ...state, loadingMore: true, moreError: null });
    const result = await fetchPage(state.page.nextCursor);
    busy.current = false;
    setState((previous) => {
      if (previous.kind !== "ready") return previous;
      if (!result.ok) return { ...previous, loadingMore: false, moreError: result.error.message };
      const { articles, ...page } = result.data;
      return { kind: "ready", page, articles: [...previous.articles, ...articles], loadingMore: false, moreError: null };
    });
  }

  return (
    <section aria-labelledby="history-heading" className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="history-heading" className="font-serif text-3xl font-bold tracking-tight text-zinc-900 dark:text-zinc-50">
            Shown to you
          </h1>
          <p className="max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
            Every story your session records as shown to you, newest first. None of them will appear in your feed again; the ones you opened are marked.
          </p>
        </div>
        <ResetHistory onReset={reload} />
      </div>

      {state.kind === "loading" && (
        <div className="flex flex-col gap-2" role="status" aria-label="Loading your history">
          {Array.from({ length: 5 }, (_, i) => (
            <div key={i} className="h-16 animate-pulse rounded-xl bg-zinc-200 dark:bg-zinc-800" />
          ))}
        </div>
      )}

      {state.kind === "error" && (
        <div
          role="alert"
          data-testid="history-error"
          data-code={state.code}
          className="rounded-xl border border-red-200 bg-red-50 p-5 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <p className="font-semibold">Couldn&apos;t read your history</p>
          <p className="mt-1 text-sm">{state.message}</p>
          <button
            type="button"
            onClick={reload}
            className="mt-3 rounded-lg bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
          >
            Try again
          </button>
        </div>
      )}

      {state.kind === "ready" && (
        <div className="flex flex-col gap-4" data-testid="history" data-mode={state.page.mode} data-seen={state.page.seenCount}>
          <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="history-summary">
            <strong>{state.page.seenCount}</strong> {state.page.seenCount === 1 ? "story" : "stories"} shown, <strong>{state.page.readCount}</strong> opened,
            read {WHERE[state.page.mode] ?? `from the ${state.page.mode} store`} by instance{" "}
            <span className={`inline-flex rounded-full px-2 py-px text-xs font-semibold ring-1 ${instanceColor(state.page.instance.id)}`}>
              {state.page.instance.id}
            </span>
            .
          </p>

          {state.articles.length === 0 ? (
            <div
              data-testid="history-empty"
              className="rounded-xl border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400"
            >
              Nothing yet.{" "}
              <Link href="/" className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
                Read the feed
              </Link>{" "}
              and the stories you are shown will be listed here.
            </div>
          ) : (
            <ol
              aria-label="Stories shown to you, newest first"
              className="divide-y divide-zinc-200 overflow-hidden rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900"
            >
              {state.articles.map((article) => (
                <li
                  key={article.id}
                  data-testid="history-item"
                  data-article-id={article.id}
                  data-read={article.read ? "true" : "false"}
                  className="flex flex-col gap-1 px-4 py-3 sm:flex-row sm:items-center sm:gap-4"
                >
                  <div className="flex shrink-0 items-center gap-2 text-xs text-zinc-500 sm:w-48 dark:text-zinc-400">
                    <SectionPill section={article.section} />
                    <time dateTime={article.publishedAt}>{formatDate(article.publishedAt)}</time>
                  </div>
                  <Link
                    href={`/articles/${article.id}`}
                    prefetch={false}
                    className="min-w-0 flex-1 font-serif text-base font-semibold text-zinc-900 hover:underline dark:text-zinc-50"
                  >
                    {article.title}
                  </Link>
                  {article.read && (
                    <span
                      data-testid="history-opened"
                      className="w-fit rounded-full bg-emerald-100 px-2 py-0.5 text-[11px] font-semibold tracking-wide text-emerald-800 uppercase dark:bg-emerald-900/60 dark:text-emerald-200"
                    >
                      Opened
                    </span>
                  )}
                </li>
              ))}
            </ol>
          )}

          {state.moreError && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              Couldn&apos;t load more: {state.moreError}
            </p>
          )}
          {state.page.nextCursor && (
            <div className="flex justify-center">
              <button
                type="button"
                data-testid="history-more"
                disabled={state.loadingMore}
                onClick={() => void loadMore()}
                className="rounded-lg bg-zinc-900 px-5 py-2.5 text-sm font-medium text-white shadow-sm hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-white"
              >
                {state.loadingMore ? "Loading…" : "Show older"}
              </button>
            </div>
          )}
        </div>
      )}
    </section>
  );
}
