"use client";

import { useEffect, useState } from "react";
import { callApi } from "../api-client";
import { instanceColor } from "../instance-colors";
import { ResetHistory } from "../reset-history";
import { CookieDetails } from "./cookie-details";
import { DbDetails } from "./db-details";
import { KvDetails } from "./kv-details";
import { MemoryDetails } from "./memory-details";
import { ReplicatedDetails } from "./replicated-details";
import { SeenRanges } from "./seen-ranges";
import type { SessionView } from "@/lib/api-contract";

type State = { kind: "loading" } | { kind: "error"; code: string; message: string } | { kind: "ready"; session: SessionView; fetchedAt: number };

const WHERE: Record<SessionView["store"]["kind"], string> = {
  cookie: "In your browser: a sealed cookie",
  kv: "In Redis, shared by every instance",
  memory: "In one server process's memory",
  db: "In PostgreSQL, shared by every instance",
  replicated: "In every instance's memory, replicated between them",
  other: "Nowhere a reader would keep it (a bench-only mode)",
};

function Stat({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold text-zinc-900 dark:text-zinc-50" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function Skeleton() {
  return (
    <div className="flex flex-col gap-4" role="status" aria-label="Loading your session">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-20 animate-pulse rounded-xl bg-zinc-200 dark:bg-zinc-800" />
        ))}
      </div>
      <div className="h-48 animate-pulse rounded-xl bg-zinc-200 dark:bg-zinc-800" />
    </div>
  );
}

/** The store's own facts, by the shape the answer says it has. */
function StoreDetailsView({ session, fetchedAt, refreshKey }: { session: SessionView; fetchedAt: number; refreshKey: number }) {
  const store = session.store;
  switch (store.kind) {
    case "cookie":
      return <CookieDetails details={store} />;
    case "kv":
      return <KvDetails details={store} fetchedAt={fetchedAt} />;
    case "memory":
      return <MemoryDetails key={refreshKey} session={session} details={store} />;
    case "db":
      return <DbDetails details={store} fetchedAt={fetchedAt} />;
    case "replicated":
      return <ReplicatedDetails details={store} />;
    case "other":
      return (
        <p className="text-sm text-zinc-700 dark:text-zinc-300" data-testid="store-note">
          {store.note}
        </p>
      );
    default: {
      // A new kind of StoreDetails fails to compile here until it has a view.
      const unhandled: never = store;
      return unhandled;
    }
  }
}

/** GET /api/session, laid out: who answered, the counts, and where the history is kept. */
export function SessionInspector() {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [refreshKey, setRefreshKey] = useState(0);

  useEffect(() => {
    let live = true;
    void callApi<SessionView>("/api/session").then((result) => {
      if (!live) return;
      if (result.ok) setState({ kind: "ready", session: result.data, fetchedAt: Date.now() });
      else setState({ kind: "error", ...result.error });
    });
    return () => {
      live = false;
    };
  }, [refreshKey]);

  const refresh = () => {
    setState((previous) => (previous.kind === "ready" ? previous : { kind: "loading" }));
    setRefreshKey((key) => key + 1);
  };

  return (
    <section aria-labelledby="inspector-heading" className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="inspector-heading" className="font-serif text-3xl font-bold tracking-tight text-zinc-900 dark:text-zinc-50">
            Session inspector
          </h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            What the server knows about you, and where it keeps it. Each refresh may be answered by a different instance.
          </p>
        </div>
        <div className="flex flex-wrap items-start gap-2">
          <ResetHistory onReset={refresh} />
          <button
            type="button"
            data-testid="inspector-refresh"
            onClick={refresh}
            className="rounded-lg bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-white"
          >
            Refresh
          </button>
        </div>
      </div>

      {state.kind === "loading" && <Skeleton />}
      {state.kind === "error" && (
        <div
          role="alert"
          data-testid="inspector-error"
          data-code={state.code}
          className="rounded-xl border border-red-200 bg-red-50 p-5 text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <p className="font-semibold">Couldn&apos;t read your session</p>
          <p className="mt-1 text-sm">{state.message}</p>
        </div>
      )}
      {state.kind === "ready" && (
        <div className="flex flex-col gap-6" data-testid="inspector" data-mode={state.session.mode}>
          <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Stat label="Mode" value={<span className="uppercase">{state.session.mode}</span>} testId="inspector-mode" />
            <Stat
              label="Answered by"
              testId="inspector-instance"
              value={
                <span className={`inline-flex rounded-full px-2.5 py-0.5 text-lg ring-1 ${instanceColor(state.session.instance.id)}`}>
                  {state.session.instance.id}
                </span>
              }
            />
            <Stat label="Seen" value={state.session.seenCount} testId="inspector-seen" />
            <Stat label="Read" value={state.session.readCount} testId="inspector-read" />
          </dl>

          <div className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
            <h2 className="mb-3 font-serif text-xl font-semibold text-zinc-900 dark:text-zinc-50">{WHERE[state.session.store.kind]}</h2>
            <StoreDetailsView session={state.session} fetchedAt={state.fetchedAt} refreshKey={refreshKey} />
          </div>

          <div className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
            <h2 className="mb-1 font-serif text-xl font-semibold text-zinc-900 dark:text-zinc-50">The seen-set, decoded</h2>
            <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
              Article sequence numbers this {state.session.mode === "memory" ? "instance" : "session"} has recorded as shown to you, of{" "}
              {state.session.catalogueSize} in the catalogue.
            </p>
            <SeenRanges ranges={state.session.seenRanges} catalogueSize={state.session.catalogueSize} />
          </div>
        </div>
      )}
    </section>
  );
}
