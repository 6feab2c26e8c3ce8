"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import type { ModeOption, ModeSwitchResult } from "@/lib/api-contract";
import { callApi } from "./api-client";
import { LeaveMemoryWarning } from "./leave-memory-warning";
import { annotateCall } from "./request-log";
import { SegmentedControl } from "./segmented-control";
import { announceModeSwitch, useSessionMode } from "./session-mode";

/**
 * Switches the session strategy; the server migrates the seen-set. Leaving memory mode (the
 * "bug" mode) first says how much of it the answering instance holds (the rest comes back), then
 * pins the switch to that instance so the warning is exactly what happens. `mode` is what the
 * server rendered and `modes` what the registry offers; the control follows the mode every later
 * answer reports, and switches made in other tabs.
 */
export function ModeSwitch({ mode: renderedMode, modes }: { mode: string; modes: ModeOption[] }) {
  const router = useRouter();
  const mode = useSessionMode(renderedMode);
  const [pending, startTransition] = useTransition();
  const [busy, setBusy] = useState<string | null>(null);
  const [leaving, setLeaving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refreshedFor = useRef<string | null>(null);

  // Another tab switched, or an answer named a mode this page was not rendered in: render again.
  useEffect(() => {
    if (mode === renderedMode || refreshedFor.current === mode) return;
    refreshedFor.current = mode;
    startTransition(() => router.refresh());
  }, [mode, renderedMode, router]);

  async function switchTo(next: string, instance?: string) {
    setLeaving(null);
    setBusy(next);
    setError(null);
    const result = await callApi<ModeSwitchResult>("/api/session/mode", { method: "PUT", body: { mode: next }, instance });
    setBusy(null);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const { from, migrated, instance: answered } = result.data;
    if (result.call) {
      const where = from === "memory" ? ` from instance ${answered.id}'s memory` : "";
      const moved = `Moved ${migrated.seen} seen ${migrated.seen === 1 ? "story" : "stories"}${where} to ${next}.`;
      const elsewhere =
        instance && answered.id !== instance
          ? ` Instance ${instance} was no longer available, so ${answered.id} carried out the switch with its own share.`
          : "";
      annotateCall(result.call.n, { note: moved + elsewhere });
    }
    announceModeSwitch(next);
    startTransition(() => router.refresh());
  }

  const leavingTheBug = modes.find((option) => option.name === mode)?.tone === "bug";
  const unavailable = modes.filter((option) => option.unavailable !== null);

  function choose(next: string) {
    if (next === mode || busy) return;
    if (leavingTheBug) setLeaving(next);
    else void switchTo(next);
  }

  return (
    <div className="relative flex flex-col items-end gap-1">
      <SegmentedControl
        aria-label="Session strategy"
        value={mode}
        onChoose={choose}
        disabled={pending || busy !== null}
        segments={modes.map((option) => ({
          value: option.name,
          id: `mode-${option.name}`,
          testId: `mode-${option.name}`,
          label: busy === option.name ? "…" : option.label,
          title: option.unavailable ?? option.description,
          disabled: option.unavailable !== null,
          activeClassName: option.tone === "bug" ? "bg-red-600 text-white shadow-sm" : undefined,
        }))}
      />
      {leaving && (
        <LeaveMemoryWarning
          to={leaving}
          toLabel={modes.find((option) => option.name === leaving)?.label ?? leaving}
          onConfirm={(instance) => void switchTo(leaving, instance)}
          onCancel={() => setLeaving(null)}
        />
      )}
      {unavailable.map((option) => (
        <p
          key={option.name}
          className="max-w-xs text-right text-[11px] leading-tight text-zinc-500 dark:text-zinc-400"
          data-testid={`${option.name}-disabled-reason`}
        >
          {option.label} unavailable: {option.unavailable}
        </p>
      ))}
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
