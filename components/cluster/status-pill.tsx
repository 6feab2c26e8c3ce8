const TONES: Record<string, string> = {
  up: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200",
  down: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
  starting: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
  stopping: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
};

/** An instance's status, in words and colour (never colour alone). */
export function StatusPill({ status }: { status: string }) {
  return (
    <span
      data-testid="instance-status"
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-semibold ${TONES[status] ?? TONES.down}`}
    >
      <span aria-hidden className={`h-1.5 w-1.5 rounded-full bg-current ${status === "starting" || status === "stopping" ? "animate-pulse" : ""}`} />
      {status}
    </span>
  );
}
