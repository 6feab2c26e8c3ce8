"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { callApi } from "./api-client";
import { LeaveMemoryWarning } from "./leave-memory-warning";
import { annotateCall } from "./request-log";
import { SegmentedControl } from "./segmented-control";
import { announceModeSwitch, useSessionMode } from "./session-mode";

type Mode = "cookie" | "kv" | "memory";

const OPTIONS: { mode: Mode; label: string; hint: string }[] = [
  { mode: "cookie", label: "Cookie", hint: "Sealed cookie in your browser: any instance can read it." },
  { mode: "kv", label: "KV", hint: "Shared Redis store behind @vercel/kv: every instance sees the same history." },
  { mode: "memory", label: "Memory", hint: "Each server process keeps its own Map: the bug. Articles reappear." },
];

interface SwitchAnswer {
  mode: string;
  from: string;
  migrated: { seen: number; read: number };
  instance: { id: string };
}

/**
 * Switches the session strategy; the server migrates the seen-set. Leaving memory mode first says
 * how much of it the answering instance holds (the rest comes back), then pins the switch to that
 * instance so the warning is exactly what happens. `mode` is what the server rendered; the control
 * follows the mode every later answer reports, and switches made in other tabs.
 */
export function ModeSwitch({ mode: renderedMode, kvDisabledReason }: { mode: string; kvDisabledReason: string | null }) {
  const router = useRouter();
  const mode = useSessionMode(renderedMode);
  const [pending, startTransition] = useTransition();
  const [busy, setBusy] = useState<Mode | null>(null);
  const [leaving, setLeaving] = useState<Mode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refreshedFor = useRef<string | null>(null);

  // Another tab switched, or an answer named a mode this page was not rendered in: render again.
  useEffect(() => {
    if (mode === renderedMode || refreshedFor.current === mode) return;
    refreshedFor.current = mode;
    startTransition(() => router.refresh());
  }, [mode, renderedMode, router]);

  async function switchTo(next: Mode, instance?: string) {
    setLeaving(null);
    setBusy(next);
    setError(null);
    const result = await callApi<SwitchAnswer>("/api/session/mode", { method: "PUT", body: { mode: next }, instance });
    setBusy(null);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const { from, migrated, instance: answered } = result.data;
    if (result.call) {
      const where = from === "memory" ? ` from instance ${answered.id}'s memory` : "";
      const moved = `Moved ${migrated.seen} seen ${migrated.seen === 1 ? "story" : "stories"}${where} to ${next}.`;
      const elsewhere = instance && answered.id !== instance ? ` Instance ${instance} was no longer available, so ${answered.id} carried out the switch with its own share.` : "";
      annotateCall(result.call.n, { note: moved + elsewhere });
    }
    announceModeSwitch(next);
    startTransition(() => router.refresh());
  }

  function choose(next: Mode) {
    if (next === mode || busy) return;
    if (mode === "memory") setLeaving(next);
    else void switchTo(next);
  }

  return (
    <div className="relative flex flex-col items-end gap-1">
      <SegmentedControl
        aria-label="Session strategy"
        value={mode}
        onChoose={choose}
        disabled={pending || busy !== null}
        segments={OPTIONS.map((option) => {
          const unavailable = option.mode === "kv" && kvDisabledReason !== null;
          return {
            value: option.mode,
            id: `mode-${option.mode}`,
            testId: `mode-${option.mode}`,
            label: busy === option.mode ? "…" : option.label,
            title: unavailable ? kvDisabledReason! : option.hint,
            disabled: unavailable,
            activeClassName: option.mode === "memory" ? "bg-red-600 text-white shadow-sm" : undefined,
          };
        })}
      />
      {leaving && <LeaveMemoryWarning to={leaving} onConfirm={(instance) => void switchTo(leaving, instance)} onCancel={() => setLeaving(null)} />}
      {kvDisabledReason && (
        <p className="max-w-xs text-right text-[11px] leading-tight text-zinc-500 dark:text-zinc-400" data-testid="kv-disabled-reason">
          KV unavailable: {kvDisabledReason}
        </p>
      )}
      {error && (
        <p role="alert" className="max-w-xs text-right text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
