"use client";

import { useEffect, useState } from "react";
import type { RedisNodeView } from "@/lib/cluster-contract";
import { lookUpCluster } from "../cluster-api";

/** The master serving `slot`, as the balancer last saw the Redis Cluster. */
function masterOf(nodes: RedisNodeView[], slot: number): RedisNodeView | null {
  return nodes.find((node) => node.role === "master" && node.slots.some(([from, to]) => slot >= from && slot <= to)) ?? null;
}

/**
 * On a Redis Cluster (`--redis cluster`): the slot the reader's keys hash to and the master that
 * holds it now, which changes when that master fails over. Nothing on one Redis, or without the
 * demo balancer to ask.
 */
export function KvSlotRow({ slot, fetchedAt }: { slot: number; fetchedAt: number }) {
  const [master, setMaster] = useState<RedisNodeView | null | "unknown">("unknown");
  const [clustered, setClustered] = useState(false);
  useEffect(() => {
    let live = true;
    void lookUpCluster().then((lookup) => {
      if (!live || lookup.kind !== "ok" || lookup.state.redis?.mode !== "cluster") return;
      setClustered(true);
      setMaster(masterOf(lookup.state.redis.nodes, slot));
    });
    return () => {
      live = false;
    };
  }, [slot, fetchedAt]);
  if (!clustered) return null;
  return (
    <>
      <dt className="font-medium text-zinc-800 dark:text-zinc-200">Cluster slot</dt>
      <dd data-testid="kv-slot" data-slot={slot} data-master={master !== "unknown" && master ? master.name : ""}>
        <span className="font-mono">{slot}</span> of 16,384 (CRC16 of the <code className="font-mono">{"{…}"}</code> tag: both keys, one slot, one master)
        {master === null && <span className="ml-1 font-semibold text-amber-700 dark:text-amber-400">· no master holds it right now (failover under way)</span>}
        {master !== null && master !== "unknown" && (
          <>
            {" "}
            · held by master <span className="font-mono font-semibold">{master.name}</span>{" "}
            <span className="font-mono text-xs text-zinc-500">({master.address})</span>
          </>
        )}
      </dd>
    </>
  );
}
