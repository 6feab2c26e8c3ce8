"use client";

import { useEffect, useState } from "react";
import { callApi } from "../api-client";
import { lookUpCluster, START_CLUSTER_COMMAND } from "../cluster-api";
import { instanceColor } from "../instance-colors";
import type { MemoryStoreDetails, SessionView } from "@/lib/api-contract";

interface InstanceAnswer {
  id: string;
  status: string;
  seenCount: number | null;
  readCount: number | null;
  holds: boolean | null;
  error: string | null;
}

type Survey = { kind: "loading" } | { kind: "absent" } | { kind: "error"; message: string } | { kind: "done"; answers: InstanceAnswer[] };

/** Asks every instance, through the balancer's admin API, what it holds for this reader. */
async function survey(): Promise<Survey> {
  const cluster = await lookUpCluster();
  if (cluster.kind === "absent") return { kind: "absent" };
  if (cluster.kind !== "ok") return { kind: "error", message: cluster.message };
  const answers = await Promise.all(
    cluster.state.instances.map(async (instance): Promise<InstanceAnswer> => {
      const base = { id: instance.id, status: instance.status };
      if (instance.status !== "up") return { ...base, seenCount: null, readCount: null, holds: null, error: `instance is ${instance.status}` };
      const result = await callApi<SessionView>(`/__cluster/instances/${encodeURIComponent(instance.id)}/session`);
      if (!result.ok) return { ...base, seenCount: null, readCount: null, holds: null, error: result.error.message };
      const store = result.data.store;
      return {
        ...base,
        seenCount: result.data.seenCount,
        readCount: result.data.readCount,
        holds: store.kind === "memory" && store.heldBy !== null,
        error: null,
      };
    }),
  );
  return { kind: "done", answers };
}

function verdict(answers: InstanceAnswer[]): string {
  const holders = answers.filter((a) => a.holds).map((a) => a.id);
  const others = answers.filter((a) => a.holds === false).map((a) => a.id);
  if (holders.length === 0) return "No instance holds any history for you yet.";
  if (holders.length === 1)
    return `Only instance ${holders[0]} holds your history${others.length ? `; ${others.join(", ")} know nothing of you` : ""}. A request they serve shows you stories again.`;
  return `Your history is split across ${holders.join(", ")}: each holds a different fragment, so whichever one answers repeats what the others showed you.`;
}

/** memory mode: the history sits in one process's Map, and the others know nothing of it. Remounted on each refresh. */
export function MemoryDetails({ session, details }: { session: SessionView; details: MemoryStoreDetails }) {
  const [state, setState] = useState<Survey>({ kind: "loading" });

  useEffect(() => {
    let live = true;
    void survey().then((result) => live && setState(result));
    return () => {
      live = false;
    };
  }, []);

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Your history lives in a <code className="font-mono">Map</code> inside one server process, keyed by the <code className="font-mono">nr_mem</code> cookie.
        Instance <strong>{session.instance.id}</strong>, which answered this page, {details.heldBy ? "holds it" : "holds nothing for you"}.
      </p>
      {state.kind === "loading" && (
        <div className="h-28 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" role="status" aria-label="Asking every instance" />
      )}
      {state.kind === "absent" && (
        <p className="rounded-md bg-zinc-100 px-3 py-2 text-sm text-zinc-700 dark:bg-zinc-800 dark:text-zinc-200" data-testid="memory-no-balancer">
          This app is not running behind the demo balancer, so the other instances cannot be asked. Start the cluster with{" "}
          <code className="font-mono">{START_CLUSTER_COMMAND}</code>.
        </p>
      )}
      {state.kind === "error" && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          Could not ask the instances: {state.message}
        </p>
      )}
      {state.kind === "done" && (
        <>
          <p data-testid="memory-verdict" className="text-sm font-medium text-zinc-900 dark:text-zinc-100">
            {verdict(state.answers)}
          </p>
          <table className="w-full text-left text-sm" data-testid="memory-instances">
            <caption className="sr-only">What each instance holds for you</caption>
            <thead className="text-xs text-zinc-500 uppercase dark:text-zinc-400">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Instance
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Holds you?
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Seen
                </th>
                <th scope="col" className="py-1 font-medium">
                  Read
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {state.answers.map((answer) => (
                <tr
                  key={answer.id}
                  data-testid="memory-instance"
                  data-instance={answer.id}
                  data-holds={answer.holds === null ? "unknown" : String(answer.holds)}
                >
                  <td className="py-1.5 pr-3">
                    <span className={`inline-flex rounded-full px-2 py-px text-xs font-semibold ring-1 ${instanceColor(answer.id)}`}>{answer.id}</span>
                  </td>
                  <td className="py-1.5 pr-3">
                    {answer.error ? <span className="text-zinc-500 dark:text-zinc-400">{answer.error}</span> : answer.holds ? "yes" : "nothing"}
                  </td>
                  <td className="py-1.5 pr-3 font-mono">{answer.seenCount ?? "—"}</td>
                  <td className="py-1.5 font-mono">{answer.readCount ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
