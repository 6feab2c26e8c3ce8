/** One stable colour per instance id, so "a", "b", "c" are recognisable at a glance everywhere. */
const PALETTE = [
  "bg-sky-100 text-sky-900 ring-sky-300 dark:bg-sky-900/60 dark:text-sky-100 dark:ring-sky-700",
  "bg-amber-100 text-amber-900 ring-amber-300 dark:bg-amber-900/60 dark:text-amber-100 dark:ring-amber-700",
  "bg-violet-100 text-violet-900 ring-violet-300 dark:bg-violet-900/60 dark:text-violet-100 dark:ring-violet-700",
  "bg-emerald-100 text-emerald-900 ring-emerald-300 dark:bg-emerald-900/60 dark:text-emerald-100 dark:ring-emerald-700",
  "bg-rose-100 text-rose-900 ring-rose-300 dark:bg-rose-900/60 dark:text-rose-100 dark:ring-rose-700",
  "bg-lime-100 text-lime-900 ring-lime-300 dark:bg-lime-900/60 dark:text-lime-100 dark:ring-lime-700",
];

export function instanceColor(id: string): string {
  const code = id.length === 1 ? id.charCodeAt(0) - 97 : [...id].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  return PALETTE[((code % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}
