"use client";

/** "All" plus one chip per section; the active one is pressed. */
export function SectionChips({
  sections,
  active,
  onChoose,
  disabled,
}: {
  sections: readonly string[];
  active: string | null;
  onChoose: (section: string | null) => void;
  disabled: boolean;
}) {
  const chips: { label: string; value: string | null }[] = [{ label: "All", value: null }, ...sections.map((s) => ({ label: s, value: s }))];
  return (
    <nav aria-label="Sections" className="-mx-4 overflow-x-auto px-4 [scrollbar-width:none] sm:mx-0 sm:px-0">
      <ul className="flex gap-2">
        {chips.map((chip) => {
          const pressed = chip.value === active;
          return (
            <li key={chip.label}>
              <button
                type="button"
                aria-pressed={pressed}
                data-testid={`section-${chip.label.toLowerCase()}`}
                disabled={disabled && !pressed}
                onClick={() => onChoose(chip.value)}
                className={`whitespace-nowrap rounded-full px-3 py-1 text-sm font-medium ring-1 transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60 ${
                  pressed
                    ? "bg-zinc-900 text-white ring-zinc-900 dark:bg-zinc-100 dark:text-zinc-900 dark:ring-zinc-100"
                    : "bg-white text-zinc-700 ring-zinc-300 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-200 dark:ring-zinc-700 dark:hover:bg-zinc-800"
                }`}
              >
                {chip.label}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
