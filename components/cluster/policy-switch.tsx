import type { Policy } from "../cluster-api";

const OPTIONS: { policy: Policy; label: string; hint: string }[] = [
  { policy: "round-robin", label: "Round-robin", hint: "Each request goes to the next instance: what App Engine effectively does." },
  { policy: "sticky", label: "Sticky", hint: "An affinity cookie pins you to one instance, until it dies." },
];

/** The balancer's routing policy. */
export function PolicySwitch({ policy, disabled, onChoose }: { policy: Policy; disabled: boolean; onChoose: (policy: Policy) => void }) {
  return (
    <div className="flex items-center gap-3">
      <span id="policy-label" className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
        Balancer policy
      </span>
      <div role="radiogroup" aria-labelledby="policy-label" className="inline-flex rounded-lg bg-zinc-100 p-0.5 ring-1 ring-zinc-200 dark:bg-zinc-800 dark:ring-zinc-700">
        {OPTIONS.map((option) => {
          const active = option.policy === policy;
          return (
            <button
              key={option.policy}
              type="button"
              role="radio"
              aria-checked={active}
              data-testid={`policy-${option.policy}`}
              title={option.hint}
              disabled={disabled}
              onClick={() => !active && onChoose(option.policy)}
              className={`rounded-md px-3 py-1 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60 ${
                active ? "bg-white text-zinc-900 shadow-sm dark:bg-zinc-950 dark:text-zinc-50" : "text-zinc-600 hover:text-zinc-900 dark:text-zinc-300 dark:hover:text-white"
              }`}
            >
              {option.label}
            </button>
          );
        })}
      </div>
    </div>
  );
}
