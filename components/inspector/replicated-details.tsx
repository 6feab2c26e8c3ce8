"use client";

import { instanceColor } from "../instance-colors";
import type { ReplicaHolderView, ReplicatedStoreDetails } from "@/lib/api-contract";

function holderState(holder: ReplicaHolderView, newest: number | null): string {
  if (holder.state === "unreachable") return "did not answer";
  if (holder.state === "missing") return "does not hold you";
  if (newest !== null && holder.version !== null && holder.version < newest) return `behind by ${newest - holder.version}`;
  return "in step";
}

function verdict(details: ReplicatedStoreDetails): string {
  const holding = details.holders.filter((h) => h.state === "holds");
  if (holding.length === 0) return "No instance holds a history for you yet: the first feed page creates one everywhere.";
  const digests = new Set(holding.map((h) => `${h.epoch}:${h.digest}`));
  const missing = details.holders.filter((h) => h.state !== "holds").map((h) => h.instance);
  const same =
    digests.size === 1
      ? `${holding.length === 1 ? "One instance holds" : `All ${holding.length} holding instances have`} the same history`
      : "The instances disagree right now: a change is still on its way";
  return missing.length > 0 ? `${same}; ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not (yet).` : `${same}.`;
}

/** replicated mode: every instance holds a replica; the table shows each one's version, and the links' lag. */
export function ReplicatedDetails({ details }: { details: ReplicatedStoreDetails }) {
  const versions = details.holders.map((h) => h.version).filter((v): v is number => v !== null);
  const newest = versions.length > 0 ? Math.max(...versions) : null;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Your browser holds only a signed random id (<code className="font-mono">nr_rep</code>). Every instance keeps your history in its own memory; instance{" "}
        <strong>{details.answeredBy}</strong> answered and sends each change to its peers over the replication channel,{" "}
        <strong data-testid="replication-mode">{details.replication}</strong>
        {details.replication === "sync" ? " (your answer waited for every live peer)" : " (your answer went first; the peers hear after)"}
        {details.lagMs > 0 ? <>, with {details.lagMs} ms of added network lag</> : null}.
      </p>
      <p data-testid="replicated-verdict" className="text-sm font-medium text-zinc-900 dark:text-zinc-100">
        {verdict(details)}
      </p>
      {details.holders.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[28rem] text-left text-sm" data-testid="replicated-holders">
            <caption className="sr-only">Which instances hold your history, at which version</caption>
            <thead className="text-xs text-zinc-500 uppercase dark:text-zinc-400">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Instance
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Version
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Seen
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Read
                </th>
                <th scope="col" className="py-1 font-medium">
                  State
                </th>
              </tr>
            </thead>
            <tbody>
              {details.holders.map((holder) => (
                <tr key={holder.instance} className="border-t border-zinc-200 dark:border-zinc-800" data-testid={`holder-${holder.instance}`}>
                  <td className="py-1.5 pr-3">
                    <span className={`inline-flex rounded-full px-2 py-px text-xs font-semibold ring-1 ${instanceColor(holder.instance)}`}>
                      {holder.instance}
                    </span>
                  </td>
                  <td className="py-1.5 pr-3 font-mono text-xs">
                    {holder.version !== null ? (
                      <>
                        {holder.epoch}.{holder.version} <span className="text-zinc-500">#{holder.digest}</span>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="py-1.5 pr-3 tabular-nums">{holder.seenCount ?? "—"}</td>
                  <td className="py-1.5 pr-3 tabular-nums">{holder.readCount ?? "—"}</td>
                  <td className="py-1.5">{holderState(holder, newest)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Links from {details.answeredBy}</dt>
        <dd data-testid="replicated-peers">
          {details.peers.length === 0
            ? "no peers: this instance is alone"
            : details.peers
                .map(
                  (peer) =>
                    `${peer.id} ${peer.state}${peer.lastLagMs !== null ? `, last lag ${peer.lastLagMs} ms` : ""}${peer.backlog > 0 ? `, ${peer.backlog} waiting` : ""}`,
                )
                .join(" · ")}
        </dd>
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Readers here</dt>
        <dd>
          {details.readersInThisProcess.toLocaleString("en")} of at most {details.maxReaders.toLocaleString("en")} (least recently active go first)
        </dd>
      </dl>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Version is epoch.entries: a replica only grows, so a lower number is behind; &quot;forget me&quot; starts a new epoch. Equal digests mean identical
        histories.
      </p>
    </div>
  );
}
