"use client";

import { useId, useState } from "react";
import { callApi } from "./api-client";
import { forgetFeed } from "./feed-memory";
import { resetShown } from "./tab-history";

/**
 * "Reset my history": DELETE /api/session after an explicit confirmation. Every mode's store
 * forgets the reader, so every story may be shown again; this tab forgets what it was shown too.
 */
export function ResetHistory({ onReset }: { onReset?: () => void }) {
  const [state, setState] = useState<"idle" | "confirming" | "working" | { error: string }>("idle");
  const descriptionId = useId();

  async function reset() {
    setState("working");
    const result = await callApi<{ forgotten: boolean }>("/api/session", { method: "DELETE" });
    if (!result.ok) {
      setState({ error: result.error.message });
      return;
    }
    resetShown();
    forgetFeed();
    setState("idle");
    onReset?.();
  }

  if (state === "idle") {
    return (
      <button
        type="button"
        data-testid="reset-history"
        onClick={() => setState("confirming")}
        className="rounded-lg px-3 py-1.5 text-sm font-medium text-red-700 ring-1 ring-red-300 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 dark:text-red-300 dark:ring-red-800 dark:hover:bg-red-950"
      >
        Reset my history…
      </button>
    );
  }
  return (
    <div
      role="alertdialog"
      aria-label="Reset my history"
      aria-describedby={descriptionId}
      data-testid="reset-confirm"
      className="flex max-w-md flex-col gap-2 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100"
    >
      <p id={descriptionId}>Forget every story you were shown, in every session mode? They can all appear in your feed again. This cannot be undone.</p>
      {typeof state === "object" && (
        <p role="alert" className="font-medium">
          Could not reset: {state.error}
        </p>
      )}
      <div className="flex gap-2">
        <button
          type="button"
          data-testid="reset-confirm-yes"
          disabled={state === "working"}
          onClick={() => void reset()}
          className="rounded-md bg-red-700 px-3 py-1.5 font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 disabled:opacity-60"
        >
          {state === "working" ? "Resetting…" : "Reset my history"}
        </button>
        <button
          type="button"
          data-testid="reset-confirm-cancel"
          disabled={state === "working"}
          onClick={() => setState("idle")}
          className="rounded-md px-3 py-1.5 font-medium text-red-900 ring-1 ring-red-300 hover:bg-red-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 dark:text-red-100 dark:ring-red-800 dark:hover:bg-red-900"
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
