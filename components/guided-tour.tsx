"use client";

import Link from "next/link";
import { openTimeline } from "./request-timeline";
import { restartTour, useTourProgress } from "./tour-progress";
import { setStoredFlag, useStoredFlag } from "./use-stored-flag";

const DISMISSED_KEY = "newsroom.tour.dismissed";

/** Moves focus to a control elsewhere on the page and makes it glow for a moment. */
function spotlight(id: string): void {
  const element = document.getElementById(id);
  if (!element) return;
  element.scrollIntoView({ block: "center", behavior: "smooth" });
  element.focus();
  element.classList.add("tour-spotlight");
  window.setTimeout(() => element.classList.remove("tour-spotlight"), 2400);
}

interface Step {
  title: string;
  body: React.ReactNode;
  done: boolean;
  action: React.ReactNode;
}

const actionClass =
  "inline-flex rounded-md bg-white px-2.5 py-1 text-xs font-semibold text-zinc-900 ring-1 ring-zinc-300 hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-600 dark:hover:bg-zinc-700";

/** Opens the timeline (where the effect will show) and points at a control in the header. */
function ShowControl({ targetId, children }: { targetId: string; children: React.ReactNode }) {
  return (
    <button
      type="button"
      className={actionClass}
      onClick={() => {
        openTimeline();
        spotlight(targetId);
      }}
    >
      {children}
    </button>
  );
}

/** A cure's step: point at its switch, then look at where the history went. */
function SwitchThenInspect({ mode, label }: { mode: string; label: string }) {
  return (
    <div className="flex flex-wrap gap-2">
      <ShowControl targetId={`mode-${mode}`}>Show me the {label} switch</ShowControl>
      <Link href="/inspector" className={actionClass}>
        Open the inspector
      </Link>
    </div>
  );
}

/** Five steps that show the bug, three cures and the proof; each ticks itself from what this tab's requests showed. */
export function GuidedTour() {
  const progress = useTourProgress();
  const dismissed = useStoredFlag(DISMISSED_KEY);
  const setHidden = (hidden: boolean) => setStoredFlag(DISMISSED_KEY, hidden);

  if (dismissed === null) return null; // unknown until hydrated: avoids a flash of the tour
  if (dismissed) {
    return (
      <div className="flex justify-end">
        <button
          type="button"
          data-testid="tour-show"
          onClick={() => setHidden(false)}
          className="text-xs font-medium text-sky-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400"
        >
          Show the guided tour
        </button>
      </div>
    );
  }

  const steps: Step[] = [
    {
      title: "Read in memory mode and watch repeats appear",
      body: (
        <>
          Choose <strong>Memory</strong> in the header, then press <em>More stories</em> a few times. Each instance keeps its own history, so stories you were
          already shown come back, flagged <span className="rounded bg-red-600 px-1 text-[10px] font-bold text-white uppercase">repeat</span> in red.
        </>
      ),
      done: progress.sawRepeats,
      action: <ShowControl targetId="mode-memory">Show me the Memory switch</ShowControl>,
    },
    {
      title: "Switch to KV and watch them stop",
      body: (
        <>
          Choose <strong>KV</strong>. Before it switches you are told how many of your stories the answering instance holds: only those move to Redis, shared by
          every instance, and the rest come back once. From then on nothing repeats, whichever instance answers.
        </>
      ),
      done: progress.kvCleanRun,
      action: <ShowControl targetId="mode-kv">Show me the KV switch</ShowControl>,
    },
    {
      title: "Switch to Database: the same cure in PostgreSQL",
      body: (
        <>
          Choose <strong>Database</strong>. Your history moves to one row of a PostgreSQL table that every instance reads and writes, one SQL call per page that
          locks the row: keep reading and nothing repeats, whichever instance answers. The <strong>Inspector</strong> shows that row: its table, its bytes and
          when it expires.
        </>
      ),
      done: progress.dbCleanRun,
      action: <SwitchThenInspect mode="db" label="Database" />,
    },
    {
      title: "Switch to Replicated: every instance holds you",
      body: (
        <>
          Choose <strong>Replicated</strong>. No shared store this time: every instance keeps your history in its own memory and sends each change to the others
          before it answers (sync). Keep reading: nothing repeats. The <strong>Inspector</strong> lists every instance&apos;s copy, at which version. To see the
          price of answering first, set replication to <em>Async</em> with 300 ms of lag on the cluster page, and quick pages repeat again.
        </>
      ),
      done: progress.replicatedCleanRun,
      action: <SwitchThenInspect mode="replicated" label="Replicated" />,
    },
    {
      title: "Stop an instance and watch nothing change",
      body: (
        <>
          On the cluster page, stop an instance, come back and keep reading. The balancer routes around it and your history, in the other instances&apos;
          memory, in PostgreSQL, in Redis or in your cookie, is untouched; started again, it catches up before it serves you.
        </>
      ),
      done: progress.survivedStop,
      action: (
        <Link href="/cluster#instances" className={actionClass}>
          Open the cluster controls
        </Link>
      ),
    },
  ];

  return (
    <section
      aria-labelledby="tour-heading"
      data-testid="tour"
      className="rounded-xl border border-sky-200 bg-sky-50 p-5 dark:border-sky-900 dark:bg-sky-950/50"
    >
      <div className="flex items-start justify-between gap-3">
        <div>
          <h2 id="tour-heading" className="font-serif text-xl font-semibold text-zinc-900 dark:text-zinc-50">
            See the bug, then the cure
          </h2>
          <p className="text-sm text-zinc-700 dark:text-zinc-300">
            Every request below may be answered by a different server instance. Five steps, about three minutes.
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          {steps.some((step) => step.done) && (
            <button
              type="button"
              data-testid="tour-restart"
              onClick={restartTour}
              className="rounded-md px-2 py-1 text-sm text-zinc-600 hover:bg-sky-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-zinc-300 dark:hover:bg-sky-900"
            >
              Start over
            </button>
          )}
          <button
            type="button"
            data-testid="tour-dismiss"
            onClick={() => setHidden(true)}
            aria-label="Hide the guided tour"
            className="rounded-md px-2 py-1 text-sm text-zinc-600 hover:bg-sky-100 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-zinc-300 dark:hover:bg-sky-900"
          >
            Hide
          </button>
        </div>
      </div>
      <ol className="mt-4 grid gap-3 md:grid-cols-2">
        {steps.map((step, index) => (
          <li
            key={step.title}
            data-testid={`tour-step-${index + 1}`}
            data-done={step.done ? "true" : "false"}
            className="flex flex-col gap-2 rounded-lg bg-white p-4 ring-1 ring-sky-100 dark:bg-zinc-900 dark:ring-sky-900"
          >
            <div className="flex items-center gap-2">
              <span
                aria-hidden
                className={`flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-bold ${step.done ? "bg-emerald-600 text-white" : "bg-sky-600 text-white"}`}
              >
                {step.done ? "✓" : index + 1}
              </span>
              <h3 className="text-sm font-semibold text-zinc-900 dark:text-zinc-50">
                {step.title}
                {step.done && <span className="sr-only"> (done)</span>}
              </h3>
            </div>
            <p className="text-sm leading-relaxed text-zinc-700 dark:text-zinc-300">{step.body}</p>
            <div className="mt-auto pt-1">{step.action}</div>
          </li>
        ))}
      </ol>
    </section>
  );
}
