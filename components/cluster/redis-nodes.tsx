import type { RedisNodeView, RedisView } from "@/lib/cluster-contract";

/** Slots a node serves, as Redis counts them (ranges are inclusive). */
function slotCount(slots: RedisNodeView["slots"]): number {
  return slots.reduce((sum, [from, to]) => sum + to - from + 1, 0);
}

const VERDICT: Record<RedisNodeView["cluster"], { label: string; tone: string; title: string }> = {
  up: { label: "up", tone: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200", title: "Every node that answers sees it working" },
  pfail: {
    label: "suspected",
    tone: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
    title: "Some node has not heard from it within cluster-node-timeout (PFAIL); a majority of masters must agree before its replica takes over",
  },
  fail: {
    label: "failed",
    tone: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-200",
    title: "A majority of masters agreed it is down (FAIL): its replica has been, or is being, promoted",
  },
  unknown: { label: "unknown", tone: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300", title: "No node that answers lists it" },
};

/**
 * kv mode's Redis Cluster (`--redis cluster`): each node's role, slots and the cluster's verdict,
 * with stop / start. Stopping a master shows the failover: it turns "failed" and its replica
 * becomes a master with its slots; started again, it comes back as that master's replica.
 */
export function RedisNodes({
  redis,
  busy,
  disabled,
  onAction,
}: {
  redis: RedisView;
  busy: { name: string; action: "stop" | "start" } | null;
  disabled: boolean;
  onAction: (name: string, action: "stop" | "start") => void;
}) {
  return (
    <section aria-labelledby="redis-nodes-title" className="flex flex-col gap-2" data-testid="redis-nodes" data-wait-replicas={redis.waitReplicas}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="redis-nodes-title" className="font-serif text-lg font-semibold text-zinc-900 dark:text-zinc-50">
          kv mode&apos;s Redis Cluster
        </h2>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          {redis.waitReplicas > 0
            ? `Each kv write waits for ${redis.waitReplicas} replica (KV_WAIT_REPLICAS): a master with no live replica refuses writes (503).`
            : "Writes are acknowledged by the master alone: one that dies before its replica copied a write loses it (KV_WAIT_REPLICAS=0)."}
        </p>
      </div>
      <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Redis Cluster nodes</caption>
          <thead className="border-b border-zinc-200 text-xs text-zinc-500 uppercase dark:border-zinc-800 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-2 py-2 font-medium sm:px-4">
                Node
              </th>
              <th scope="col" className="hidden px-2 py-2 font-medium sm:table-cell sm:px-4">
                Address
              </th>
              <th scope="col" className="px-2 py-2 font-medium sm:px-4">
                Role
              </th>
              <th scope="col" className="px-2 py-2 font-medium sm:px-4">
                Slots
              </th>
              <th scope="col" className="px-2 py-2 font-medium sm:px-4">
                State
              </th>
              <th scope="col" className="px-2 py-2 text-right font-medium sm:px-4">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {redis.nodes.map((node) => (
              <RedisNodeRow
                key={node.name}
                node={node}
                busy={busy?.name === node.name ? busy.action : null}
                disabled={disabled}
                onAction={(action) => onAction(node.name, action)}
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RedisNodeRow({
  node,
  busy,
  disabled,
  onAction,
}: {
  node: RedisNodeView;
  busy: "stop" | "start" | null;
  disabled: boolean;
  onAction: (action: "stop" | "start") => void;
}) {
  const stopped = node.process === "stopped";
  const verdict = stopped && node.cluster === "up" ? VERDICT.pfail : VERDICT[node.cluster];
  const action = stopped ? "start" : "stop";
  const count = slotCount(node.slots);
  return (
    <tr data-testid="redis-node" data-node={node.name} data-role={node.role ?? "unknown"} data-process={node.process} data-cluster={node.cluster}>
      <th scope="row" className="px-2 py-2.5 font-mono font-semibold sm:px-4">
        {node.name}
      </th>
      <td className="hidden px-2 py-2.5 font-mono text-zinc-700 sm:table-cell sm:px-4 dark:text-zinc-300">{node.address}</td>
      <td className="px-2 py-2.5 text-zinc-700 sm:px-4 dark:text-zinc-300">
        {node.role === "master" ? <span className="font-semibold">master</span> : node.role === "replica" ? `replica of ${node.replicaOf ?? "?"}` : "—"}
      </td>
      <td className="px-2 py-2.5 font-mono text-xs text-zinc-700 sm:px-4 dark:text-zinc-300" title={`${count.toLocaleString("en")} of 16,384 slots`}>
        {node.slots.length === 0
          ? "—"
          : node.slots.map(([from, to], i) => (
              <span key={from} className="whitespace-nowrap">
                {i > 0 && ", "}
                {from === to ? from : `${from}–${to}`}
              </span>
            ))}
      </td>
      <td className="px-2 py-2.5 sm:px-4">
        <span title={verdict.title} className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-semibold ${verdict.tone}`}>
          {stopped ? "stopped" : node.process === "paused" ? "frozen" : verdict.label}
        </span>
      </td>
      <td className="px-2 py-2.5 text-right sm:px-4">
        {node.process !== "external" && node.process !== "paused" && (
          <button
            type="button"
            data-testid={`redis-${action}-${node.name}`}
            disabled={disabled}
            onClick={() => onAction(action)}
            aria-label={`${stopped ? "Start" : "Stop"} Redis node ${node.name}`}
            className={`rounded-md px-3 py-1 text-xs font-semibold ring-1 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 ${
              stopped
                ? "text-emerald-700 ring-emerald-300 hover:bg-emerald-50 dark:text-emerald-300 dark:ring-emerald-800 dark:hover:bg-emerald-950"
                : "text-red-700 ring-red-300 hover:bg-red-50 dark:text-red-300 dark:ring-red-800 dark:hover:bg-red-950"
            }`}
          >
            {busy ? "…" : stopped ? "Start" : "Stop"}
          </button>
        )}
      </td>
    </tr>
  );
}
