"use client";

import { useRequestLog } from "./request-log";
import { instanceColor } from "./instance-colors";

/**
 * Names the instance that answered the last API call: it changes under round-robin. An instance
 * known to be stopped since is never named: the next call will be answered by another.
 */
export function InstanceBadge() {
  const { calls, stopped } = useRequestLog();
  // Admin calls that ask one chosen instance (the inspector's survey) say nothing about routing.
  const last = calls.findLast((call) => call.instance && !call.path.startsWith("/__cluster"));
  const id = last?.instance && !stopped.includes(last.instance) ? last.instance : null;
  return (
    <span
      data-testid="instance-badge"
      data-instance={id ?? ""}
      aria-live="polite"
      title="The server instance that answered the last request"
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ${
        id ? instanceColor(id) : "bg-zinc-100 text-zinc-600 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700"
      }`}
    >
      <span className="h-1.5 w-1.5 rounded-full bg-current" aria-hidden />
      {id ? (
        <>
          served by <strong className="font-semibold">{id}</strong>
        </>
      ) : last ? (
        "that instance stopped"
      ) : (
        "no request yet"
      )}
    </span>
  );
}
