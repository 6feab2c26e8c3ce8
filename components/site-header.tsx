import Link from "next/link";
import type { ModeOption } from "@/lib/api-contract";
import { InstanceBadge } from "./instance-badge";
import { ModeSwitch } from "./mode-switch";
import { SiteNav } from "./site-nav";

export function SiteHeader({ mode, modes }: { mode: string; modes: ModeOption[] }) {
  return (
    <header className="z-10 sm:sticky sm:top-0 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
        <div className="flex items-center gap-3">
          <Link href="/" className="font-serif text-2xl font-bold tracking-tight text-zinc-900 dark:text-zinc-50">
            Newsroom
          </Link>
          <InstanceBadge />
        </div>
        <SiteNav />
        <ModeSwitch mode={mode} modes={modes} />
      </div>
      {modes.find((option) => option.name === mode)?.tone === "bug" && (
        <div
          role="note"
          data-testid="memory-warning"
          className="border-t border-red-200 bg-red-50 px-4 py-2 text-center text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200"
        >
          <strong>Memory mode is the bug:</strong> your history lives in one server process only. Behind a round-robin balancer, other instances don&apos;t know
          what you have read, so articles come back.
        </div>
      )}
    </header>
  );
}
