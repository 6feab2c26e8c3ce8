/** The decoded seen-set: a strip over the whole catalogue, then the seq ranges as text. */
const MAX_LISTED = 120;

function label([from, to]: [number, number]): string {
  return from === to ? String(from) : `${from}–${to}`;
}

export function SeenRanges({ ranges, catalogueSize }: { ranges: [number, number][]; catalogueSize: number }) {
  const listed = ranges.slice(0, MAX_LISTED);
  return (
    <div className="flex flex-col gap-2" data-testid="seen-ranges" data-ranges={ranges.length}>
      <svg
        role="img"
        aria-label={`Seen articles over the catalogue of ${catalogueSize}: ${ranges.length} range${ranges.length === 1 ? "" : "s"}`}
        viewBox={`0 0 ${Math.max(catalogueSize, 1)} 10`}
        preserveAspectRatio="none"
        className="h-4 w-full rounded bg-zinc-100 dark:bg-zinc-800"
      >
        {ranges.map(([from, to]) => (
          <rect key={from} x={from - 1} width={to - from + 1} y={0} height={10} className="fill-sky-500 dark:fill-sky-400" />
        ))}
      </svg>
      <div className="flex justify-between text-[11px] text-zinc-500 dark:text-zinc-400" aria-hidden>
        <span>seq 1 (oldest)</span>
        <span>seq {catalogueSize} (newest)</span>
      </div>
      {ranges.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing seen yet.</p>
      ) : (
        <p className="font-mono text-xs leading-relaxed break-words text-zinc-700 dark:text-zinc-300">
          {listed.map(label).join(", ")}
          {ranges.length > MAX_LISTED && <span className="text-zinc-500"> … and {ranges.length - MAX_LISTED} more ranges</span>}
        </p>
      )}
    </div>
  );
}
