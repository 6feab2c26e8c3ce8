"use client";

import { useEffect, useState } from "react";
import type { SessionView } from "@/lib/api-contract";
import { callApi } from "./api-client";
import { instanceColor } from "./instance-colors";
import { shownArticles, type ShownArticle } from "./tab-history";

/** What one instance holds of what this tab was shown: the truth about leaving memory mode. */
export interface MemoryShare {
  instance: string;
  shown: number;
  held: number;
  /** Shown to this tab but not held there: these come back after the switch. */
  returning: ShownArticle[];
}

/**
 * Asks one instance (whichever the balancer picks) what it holds for this reader. The switch is
 * then pinned to that same instance, so the warning describes exactly what will migrate.
 */
export async function surveyMemoryShare(): Promise<MemoryShare | { error: string }> {
  const result = await callApi<SessionView>("/api/session");
  if (!result.ok) return { error: result.error.message };
  const held = (seq: number) => result.data.seenRanges.some(([from, to]) => seq >= from && seq <= to);
  const shown = shownArticles();
  const returning = shown.filter((article) => !held(article.seq)).sort((a, b) => b.seq - a.seq);
  return { instance: result.data.instance.id, shown: shown.length, held: shown.length - returning.length, returning };
}

const MAX_TITLES = 4;

/**
 * The confirmation shown before leaving memory mode: how many of the stories this tab was shown
 * the answering instance holds (only those move), and which stories will therefore come back.
 */
export function LeaveMemoryWarning({
  to,
  toLabel,
  onConfirm,
  onCancel,
}: {
  to: string;
  toLabel: string;
  onConfirm: (instance: string) => void;
  onCancel: () => void;
}) {
  const [share, setShare] = useState<MemoryShare | { error: string } | null>(null);

  useEffect(() => {
    let live = true;
    void surveyMemoryShare().then((answer) => live && setShare(answer));
    return () => {
      live = false;
    };
  }, []);

  return (
    <div
      role="alertdialog"
      aria-label={`Leave memory mode for ${to}`}
      data-testid="leave-memory"
      data-instance={share && "instance" in share ? share.instance : ""}
      data-shown={share && "shown" in share ? share.shown : ""}
      data-held={share && "held" in share ? share.held : ""}
      data-returning-ids={share && "returning" in share ? share.returning.map((a) => a.id).join(" ") : ""}
      // A phone wraps the header, so there the card floats over the page instead of hanging from the switch.
      className="fixed inset-x-4 top-4 z-40 rounded-xl sm:absolute sm:inset-x-auto sm:top-full sm:right-0 sm:mt-2 sm:w-[26rem] border border-amber-300 bg-white p-4 text-left text-sm shadow-lg dark:border-amber-700 dark:bg-zinc-900"
    >
      <p className="font-semibold text-zinc-900 dark:text-zinc-50">Leaving memory mode</p>
      {share === null && (
        <p className="mt-2 text-zinc-600 dark:text-zinc-300" role="status">
          Asking an instance what it holds for you…
        </p>
      )}
      {share && "error" in share && (
        <p role="alert" className="mt-2 text-red-700 dark:text-red-400">
          Could not ask the instance: {share.error}
        </p>
      )}
      {share && "instance" in share && (
        <div className="mt-2 flex flex-col gap-2 text-zinc-700 dark:text-zinc-300" data-testid="leave-memory-text">
          <p>
            Instance <span className={`inline-flex rounded-full px-1.5 text-xs font-semibold ring-1 ${instanceColor(share.instance)}`}>{share.instance}</span>{" "}
            answered: it holds <strong>{share.held}</strong> of the <strong>{share.shown}</strong> {share.shown === 1 ? "story" : "stories"} this tab was shown.
            Only those move to {toLabel}.
          </p>
          {share.returning.length > 0 ? (
            <p className="rounded-md bg-amber-50 px-2 py-1.5 text-amber-900 dark:bg-amber-950 dark:text-amber-100">
              The other <strong>{share.returning.length}</strong> live only in other instances&apos; memory, so they will be shown to you again: that is the
              bug.{" "}
              <span className="italic">
                {share.returning
                  .slice(0, MAX_TITLES)
                  .map((a) => a.title)
                  .join(" · ")}
                {share.returning.length > MAX_TITLES && ` and ${share.returning.length - MAX_TITLES} more`}
              </span>
            </p>
          ) : (
            <p>Nothing you were shown in this tab is lost by the move.</p>
          )}
        </div>
      )}
      <div className="mt-3 flex gap-2">
        <button
          type="button"
          data-testid="leave-memory-confirm"
          disabled={!share || "error" in share}
          onClick={() => share && "instance" in share && onConfirm(share.instance)}
          className="rounded-md bg-zinc-900 px-3 py-1.5 font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900"
        >
          Switch to {toLabel}
        </button>
        <button
          type="button"
          data-testid="leave-memory-cancel"
          onClick={onCancel}
          className="rounded-md px-3 py-1.5 font-medium text-zinc-700 ring-1 ring-zinc-300 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:text-zinc-200 dark:ring-zinc-700 dark:hover:bg-zinc-800"
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
