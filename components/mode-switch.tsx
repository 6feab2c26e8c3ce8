"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { callApi } from "./api-client";
import { SegmentedControl } from "./segmented-control";

type Mode = "cookie" | "kv" | "memory";

const OPTIONS: { mode: Mode; label: string; hint: string }[] = [
  { mode: "cookie", label: "Cookie", hint: "Sealed cookie in your browser: any instance can read it." },
  { mode: "kv", label: "KV", hint: "Shared Redis store behind @vercel/kv: every instance sees the same history." },
  { mode: "memory", label: "Memory", hint: "Each server process keeps its own Map: the bug. Articles reappear." },
];

/** Switches the session strategy; the server migrates the seen-set so nothing reappears. */
/** `mode` may be a bench-only mode (lib/session/bench), which none of these segments shows as chosen. */
export function ModeSwitch({ mode, kvDisabledReason }: { mode: string; kvDisabledReason: string | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [busy, setBusy] = useState<Mode | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function choose(next: Mode) {
    if (next === mode || busy) return;
    setBusy(next);
    setError(null);
    const result = await callApi<{ mode: Mode }>("/api/session/mode", { method: "PUT", body: { mode: next } });
    setBusy(null);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    startTransition(() => router.refresh());
  }

  return (
    <div className="flex flex-col items-end gap-1">
      <SegmentedControl
        aria-label="Session strategy"
        value={mode}
        onChoose={(next) => void choose(next)}
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
