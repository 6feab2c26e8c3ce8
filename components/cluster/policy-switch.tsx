import type { Policy } from "../cluster-api";
import { SegmentedControl } from "../segmented-control";

const SEGMENTS = [
  {
    value: "round-robin" as const,
    label: "Round-robin",
    title: "Each request goes to the next instance: what App Engine effectively does.",
    testId: "policy-round-robin",
  },
  { value: "sticky" as const, label: "Sticky", title: "An affinity cookie pins you to one instance, until it dies.", testId: "policy-sticky" },
];

/** The balancer's routing policy. */
export function PolicySwitch({ policy, disabled, onChoose }: { policy: Policy; disabled: boolean; onChoose: (policy: Policy) => void }) {
  return (
    <div className="flex items-center gap-3">
      <span id="policy-label" className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
        Balancer policy
      </span>
      <SegmentedControl aria-labelledby="policy-label" segments={SEGMENTS} value={policy} onChoose={onChoose} disabled={disabled} />
    </div>
  );
}
