/** A row of mutually exclusive choices (a radio group drawn as segments): the session mode, the balancer policy. */
export interface Segment<T extends string> {
  value: T;
  label: React.ReactNode;
  title?: string;
  disabled?: boolean;
  testId?: string;
  id?: string;
  /** Classes for this segment when it is the chosen one (default: a raised white segment). */
  activeClassName?: string;
}

const ACTIVE = "bg-white text-zinc-900 shadow-sm dark:bg-zinc-950 dark:text-zinc-50";
const INACTIVE = "text-zinc-600 hover:text-zinc-900 dark:text-zinc-300 dark:hover:text-white";

export function SegmentedControl<T extends string>({
  segments,
  value,
  onChoose,
  disabled = false,
  ...labelling
}: {
  segments: Segment<T>[];
  /** The chosen segment's value; anything else leaves none chosen. */
  value: string;
  onChoose: (value: T) => void;
  disabled?: boolean;
} & ({ "aria-label": string } | { "aria-labelledby": string })) {
  return (
    <div role="radiogroup" {...labelling} className="inline-flex rounded-lg bg-zinc-100 p-0.5 ring-1 ring-zinc-200 dark:bg-zinc-800 dark:ring-zinc-700">
      {segments.map((segment) => {
        const active = segment.value === value;
        return (
          <button
            key={segment.value}
            id={segment.id}
            type="button"
            role="radio"
            aria-checked={active}
            data-testid={segment.testId}
            title={segment.title}
            disabled={disabled || segment.disabled}
            onClick={() => !active && onChoose(segment.value)}
            className={`rounded-md px-3 py-1 text-sm font-medium transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 ${
              active ? (segment.activeClassName ?? ACTIVE) : INACTIVE
            }`}
          >
            {segment.label}
          </button>
        );
      })}
    </div>
  );
}
