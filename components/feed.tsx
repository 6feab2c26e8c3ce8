"use client";

import Link from "next/link";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { FeedPage } from "@/lib/api-contract";
import { callApi } from "./api-client";
import { ArticleCard, ArticleCardSkeleton } from "./article-card";
import { arrival, forgetFeed, loadFeed, saveFeed, saveScroll, type FeedBatch } from "./feed-memory";
import { annotateCall } from "./request-log";
import { SectionChips } from "./section-chips";
import { recordShown, resetShown, serverForgot } from "./tab-history";
import { noteFeedPage } from "./tour-progress";

const PAGE_SIZE = 10;

type Status = { kind: "loading" } | { kind: "ready" } | { kind: "error"; code: string; message: string };

/**
 * The home feed: each load asks the server for the next page of articles this reader has not
 * been shown, and the server records them as seen in the same step. Pages stack up as batches.
 * Only one feed request is ever in flight: a double click must not cost the reader a page.
 * Coming back to the feed (Back, Forward, a link) shows the same batches again from this tab's
 * memory (feed-memory.ts), without a feed call; a fresh page load asks for the next page.
 */
export function Feed({ sections }: { sections: readonly string[] }) {
  const [section, setSection] = useState<string | null>(null);
  const [batches, setBatches] = useState<FeedBatch[]>([]);
  const [status, setStatus] = useState<Status>({ kind: "loading" });
  const [remaining, setRemaining] = useState<number | null>(null);
  /** Set on a fresh page load that replaced a feed this tab had: said once, quietly. */
  const [freshLoad, setFreshLoad] = useState<"reload" | "navigate" | null>(null);
  const [restoreScroll, setRestoreScroll] = useState<number | null>(null);
  const inFlight = useRef(false);
  const started = useRef(false);
  const batchCounter = useRef(0);

  const load = useCallback(async (forSection: string | null, reset: boolean) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setStatus({ kind: "loading" });
    if (reset) setBatches([]);
    const result = await callApi<FeedPage>("/api/feed", {
      method: "POST",
      body: forSection ? { limit: PAGE_SIZE, section: forSection } : { limit: PAGE_SIZE },
    });
    inFlight.current = false;
    if (!result.ok) {
      setStatus({ kind: "error", ...result.error });
      return;
    }
    const { articles, instance, remaining: left, mode, seenCount } = result.data;
    // The tab checks each page against what it was shown before; a server that forgot the reader
    // is said so plainly rather than dressed up as repeats (memory mode excepted: that is the bug).
    const forgot = serverForgot(mode, seenCount, articles.length);
    if (forgot) resetShown();
    const repeats = recordShown(articles);
    if (result.call) {
      annotateCall(result.call.n, {
        repeats,
        note: forgot
          ? "The server no longer knows this session (it expired, was forgotten, or the secret changed): this tab's history starts again."
          : undefined,
      });
    }
    noteFeedPage(mode, repeats.length, instance.id);
    if (articles.length > 0) {
      const n = ++batchCounter.current;
      setBatches((previous) => [...(reset ? [] : previous), { n, instance: instance.id, articles, repeats: repeats.map((a) => a.id) }]);
    }
    setRemaining(left);
    setStatus({ kind: "ready" });
  }, []);

  // Mount: restore this tab's feed when the reader came back to it; otherwise load the next page.
  useEffect(() => {
    // Guarded so React's development double-invocation does not consume an extra page.
    if (started.current) return;
    started.current = true;
    const how = arrival();
    const stored = loadFeed();
    if (stored && (how === "client" || how === "back_forward")) {
      batchCounter.current = Math.max(...stored.batches.map((b) => b.n));
      // sessionStorage exists only in the browser, so the restore waits for this effect (after hydration).
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setSection(stored.section);
      setBatches(stored.batches);
      setRemaining(stored.remaining);
      setStatus({ kind: "ready" });
      setRestoreScroll(stored.scrollY);
      return;
    }
    if (stored && (how === "reload" || how === "navigate")) setFreshLoad(how);
    void load(null, true);
  }, [load]);

  // Keep what is on screen, so coming back finds it.
  useEffect(() => {
    if (status.kind !== "ready" || batches.length === 0) return;
    saveFeed({ section, batches, remaining, scrollY: restoreScroll ?? window.scrollY });
  }, [batches, remaining, section, status.kind, restoreScroll]);

  // Put the reader back where they were, once the restored batches are laid out. Applied again on
  // the next frames: a navigation may scroll after this component has rendered.
  useLayoutEffect(() => {
    if (restoreScroll === null) return;
    const target = restoreScroll;
    window.scrollTo(0, target);
    const frame = requestAnimationFrame(() => {
      window.scrollTo(0, target);
      requestAnimationFrame(() => {
        window.scrollTo(0, target);
        setRestoreScroll(null);
      });
    });
    return () => cancelAnimationFrame(frame);
  }, [restoreScroll]);

  // Remember the scroll position as the reader scrolls (not while restoring it).
  useEffect(() => {
    let frame = 0;
    const onScroll = () => {
      cancelAnimationFrame(frame);
      // Only while the feed is the page: leaving it, the next page's own scroll-to-top must not count.
      frame = requestAnimationFrame(() => window.location.pathname === "/" && saveScroll(window.scrollY));
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener("scroll", onScroll);
    };
  }, []);

  function chooseSection(next: string | null) {
    if (next === section || inFlight.current) return;
    setSection(next);
    setRemaining(null);
    setFreshLoad(null);
    void load(next, true);
  }

  async function startOver() {
    if (inFlight.current) return;
    setStatus({ kind: "loading" });
    const result = await callApi("/api/session", { method: "DELETE" });
    if (!result.ok) {
      setStatus({ kind: "error", ...result.error });
      return;
    }
    resetShown();
    forgetFeed();
    setRemaining(null);
    setFreshLoad(null);
    await load(section, true);
  }

  const loading = status.kind === "loading";
  const caughtUp = status.kind === "ready" && remaining === 0;

  return (
    <section aria-labelledby="feed-heading" className="flex flex-col gap-6">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 id="feed-heading" className="font-serif text-3xl font-bold tracking-tight text-zinc-900 dark:text-zinc-50">
            {section ?? "Top stories"}
          </h1>
          <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="feed-remaining">
            {remaining === null
              ? "Finding stories you haven't seen…"
              : `${remaining} unseen ${remaining === 1 ? "story" : "stories"} left${section ? ` in ${section}` : ""}`}
          </p>
        </div>
        <SectionChips sections={sections} active={section} onChoose={chooseSection} disabled={loading} />
      </div>

      {freshLoad && (
        <p data-testid="feed-fresh-load" className="-mt-2 text-sm text-zinc-500 dark:text-zinc-400">
          {freshLoad === "reload" ? "You reloaded the page, so" : "A fresh visit, so"} here are the next stories you haven&apos;t seen. The ones you were shown
          before are under{" "}
          <Link href="/history" className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400">
            Shown to you
          </Link>
          .
        </p>
      )}

      {batches.map((batch) => (
        <div key={batch.n} data-testid="feed-batch" data-batch={batch.n} data-instance={batch.instance} className="grid gap-4 sm:grid-cols-2">
          {batch.articles.map((article) => (
            <ArticleCard key={`${batch.n}-${article.id}`} article={article} repeat={batch.repeats.includes(article.id)} />
          ))}
        </div>
      ))}

      {loading && (
        <div className="grid gap-4 sm:grid-cols-2" role="status" aria-label="Loading stories">
          {Array.from({ length: batches.length === 0 ? 4 : 2 }, (_, i) => (
            <ArticleCardSkeleton key={i} />
          ))}
        </div>
      )}

      {status.kind === "error" && (
        <div
          role="alert"
          data-testid="feed-error"
          data-code={status.code}
          className="rounded-xl border border-red-200 bg-red-50 p-5 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <p className="font-semibold">Couldn&apos;t load stories</p>
          <p className="mt-1 text-sm">{status.message}</p>
          <button
            type="button"
            onClick={() => void load(section, false)}
            className="mt-3 rounded-lg bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700"
          >
            Try again
          </button>
        </div>
      )}

      {caughtUp ? (
        <div
          data-testid="caught-up"
          className="flex flex-col items-center gap-3 rounded-xl border border-dashed border-zinc-300 p-10 text-center dark:border-zinc-700"
        >
          <p className="text-4xl" aria-hidden>
            ✓
          </p>
          <p className="font-serif text-2xl font-semibold text-zinc-900 dark:text-zinc-50">You&apos;re all caught up</p>
          <p className="max-w-md text-sm text-zinc-600 dark:text-zinc-400">
            You have been shown every {section ? `${section} ` : ""}story we have. None of them will be shown to you again.
          </p>
          <button
            type="button"
            data-testid="start-over"
            onClick={() => void startOver()}
            className="rounded-lg bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-white"
          >
            Start over
          </button>
        </div>
      ) : (
        status.kind === "ready" && (
          <div className="flex justify-center">
            <button
              type="button"
              data-testid="more-stories"
              onClick={() => void load(section, false)}
              className="rounded-lg bg-zinc-900 px-5 py-2.5 text-sm font-medium text-white shadow-sm hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-white"
            >
              More stories
            </button>
          </div>
        )
      )}
    </section>
  );
}
