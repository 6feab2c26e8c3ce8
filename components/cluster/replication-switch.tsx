import type { ReplicationSettingsView } from "@/lib/cluster-contract";
import { SegmentedControl } from "../segmented-control";

const MODES = [
  {
    value: "sync" as const,
    label: "Sync",
    title: "A reader's answer waits until every live peer has the change: no repeats while peers are up; each request pays the slowest peer's round trip.",
    testId: "replication-sync",
  },
  {
    value: "async" as const,
    label: "Async",
    title: "The answer goes first, the change follows: faster, but a next request on another instance can arrive before it (repeats).",
    testId: "replication-async",
  },
];

/** Added network delay choices (ms): what it takes to see async repeat on loopback. */
const LAGS = [0, 100, 300, 1000, 3000];

/** replicated mode's settings for the whole cluster: PUT /__cluster/replication. */
export function ReplicationSwitch({
  settings,
  disabled,
  onChange,
}: {
  settings: ReplicationSettingsView;
  disabled: boolean;
  onChange: (next: Partial<ReplicationSettingsView>) => void;
}) {
  const lags = LAGS.includes(settings.lagMs) ? LAGS : [...LAGS, settings.lagMs].sort((a, b) => a - b);
  return (
    <div className="flex flex-wrap items-center gap-3" data-testid="replication-settings" data-mode={settings.mode} data-lag={settings.lagMs}>
      <span id="replication-label" className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
        Replication
      </span>
      <SegmentedControl
        aria-labelledby="replication-label"
        segments={MODES}
        value={settings.mode}
        onChoose={(mode) => onChange({ mode })}
        disabled={disabled}
      />
      <label className="flex items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
        Network lag
        <select
          data-testid="replication-lag"
          value={settings.lagMs}
          disabled={disabled}
          onChange={(event) => onChange({ lagMs: Number(event.target.value) })}
          className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60 dark:border-zinc-700 dark:bg-zinc-900"
        >
          {lags.map((lag) => (
            <option key={lag} value={lag}>
              {lag === 0 ? "none" : `${lag.toLocaleString("en")} ms`}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
