"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { callApi } from "./api-client";

type Mode = "cookie" | "kv" | "memory";

const OPTIONS: { mode: Mode; label: string; hint: string }[] = [
  { mode: "cookie", label: "Cookie", hint: "Sealed cookie in your browser: any instance can read it." },
  { mode: "kv", label: "KV", hint: "Shared Redis store behind @vercel/kv: every instance sees the same history." },
  { mode: "memory", label: "Memory", hint: "Each server process keeps its own Map: the bug. Articles reappear." },
];

/** Switches the session strategy; the server migrates the seen-set so nothing reappears. */
export function ModeSwitch({ mode, kvDisabledReason }: { mode: Mode; kvDisabledReason: string | null }) {
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
      <div role="radiogroup" aria-label="Session strategy" className="inline-flex rounded-lg bg-zinc-100 p-0.5 ring-1 ring-zinc-200 dark:bg-zinc-800 dark:ring-zinc-700">
        {OPTIONS.map((option) => {
          const disabled = option.mode === "kv" && kvDisabledReason !== null;
          const active = option.mode === mode;
          return (
            <button
              key={option.mode}
              type="button"
              role="radio"
              aria-checked={active}
              id={`mode-${option.mode}`}
              data-testid={`mode-${option.mode}`}
              disabled={disabled || pending || busy !== null}
              title={disabled ? kvDisabledReason! : option.hint}
              onClick={() => choose(option.mode)}
              className={`rounded-md px-3 py-1 text-sm font-medium transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 ${
                active
                  ? option.mode === "memory"
                    ? "bg-red-600 text-white shadow-sm"
                    : "bg-white text-zinc-900 shadow-sm dark:bg-zinc-950 dark:text-zinc-50"
                  : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-300 dark:hover:text-white"
              }`}
            >
              {busy === option.mode ? "…" : option.label}
            </button>
          );
        })}
      </div>
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
