import type { Metadata } from "next";
import { ClusterPanel } from "@/components/cluster/cluster-panel";

export const metadata: Metadata = { title: "Cluster" };

export default function ClusterPage() {
  return (
    <section aria-labelledby="cluster-heading" className="flex flex-col gap-6">
      <div>
        <h1 id="cluster-heading" className="font-serif text-3xl font-bold tracking-tight text-zinc-900 dark:text-zinc-50">
          Cluster
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          The instances behind the load balancer. Stop one while you read: in cookie, kv and database modes nothing changes; in replicated mode the others still
          hold you, and the instance catches up when it starts again; in memory mode the readers it held lose their history.
        </p>
      </div>
      <ClusterPanel />
    </section>
  );
}
