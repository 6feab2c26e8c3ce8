const COLORS: Record<string, string> = {
  World: "bg-sky-50 text-sky-800 dark:bg-sky-950 dark:text-sky-200",
  Business: "bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-200",
  Technology: "bg-violet-50 text-violet-800 dark:bg-violet-950 dark:text-violet-200",
  Science: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  Sports: "bg-orange-50 text-orange-800 dark:bg-orange-950 dark:text-orange-200",
  Culture: "bg-pink-50 text-pink-800 dark:bg-pink-950 dark:text-pink-200",
};

export function SectionPill({ section }: { section: string }) {
  return (
    <span className={`rounded-full px-2 py-0.5 text-[11px] font-semibold uppercase tracking-wide ${COLORS[section] ?? "bg-zinc-100 text-zinc-700"}`}>
      {section}
    </span>
  );
}
