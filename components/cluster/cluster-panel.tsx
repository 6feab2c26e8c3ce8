"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { callApi } from "../api-client";
import { lookUpCluster, START_CLUSTER_COMMAND, type ClusterInstance, type ClusterLookup, type Policy } from "../cluster-api";
import { instanceColor } from "../instance-colors";
import { PolicySwitch } from "./policy-switch";
import { RedisNodes } from "./redis-nodes";
import { ReplicationSwitch } from "./replication-switch";
import { StatusPill } from "./status-pill";

const POLL_MS = 1000;

type Busy =
  | { kind: "instance"; id: string; action: "stop" | "start" }
  | { kind: "redis"; name: string; action: "stop" | "start" }
  | { kind: "add" }
  | { kind: "policy" }
  | { kind: "replication" }
  | null;

function Notice({ title, children, testId }: { title: string; children: React.ReactNode; testId: string }) {
  return (
    <div data-testid={testId} className="rounded-xl border border-dashed border-zinc-300 bg-white p-6 dark:border-zinc-700 dark:bg-zinc-900">
      <h2 className="font-serif text-xl font-semibold text-zinc-900 dark:text-zinc-50">{title}</h2>
      <div className="mt-2 flex flex-col gap-2 text-sm text-zinc-700 dark:text-zinc-300">{children}</div>
    </div>
  );
}

/**
 * The cluster as the balancer sees it, polled every second: instances, their status and requests
 * served as HAProxy reports them (with its own health-check verdict), readers held in memory,
 * with stop / start / add and the balancer policy.
 */
export function ClusterPanel() {
  const [lookup, setLookup] = useState<ClusterLookup | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const polling = useRef(false);

  const poll = useCallback(async () => {
    if (polling.current) return;
    polling.current = true;
    const next = await lookUpCluster();
    polling.current = false;
    // A failed poll keeps the last good table on screen, with the error above it.
    setLookup((previous) => (next.kind === "error" && previous?.kind === "ok" ? previous : next));
    setPollError(next.kind === "error" ? next.message : null);
  }, []);

  useEffect(() => {
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => clearInterval(timer);
  }, [poll]);

  async function act(next: Exclude<Busy, null>, method: string, path: string, body?: unknown) {
    if (busy) return;
    setBusy(next);
    setActionError(null);
    // Always JSON: the admin API refuses anything else for a call that changes the cluster.
    const result = await callApi(`/__cluster${path}`, { method, body: body ?? {} });
    setBusy(null);
    if (!result.ok) setActionError(result.error.message);
    await poll();
  }

  if (lookup === null) {
    return <div className="h-64 animate-pulse rounded-xl bg-zinc-200 dark:bg-zinc-800" role="status" aria-label="Asking the balancer" />;
  }
  if (lookup.kind === "absent") {
    return (
      <Notice title="Not running behind the demo balancer" testId="cluster-absent">
        <p>
          This page controls the load balancer that <code className="font-mono">{START_CLUSTER_COMMAND}</code> starts in front of several instances. This app is
          running on its own, so there is nothing to control here.
        </p>
        <p>
          Start the cluster with <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono dark:bg-zinc-800">{START_CLUSTER_COMMAND}</code> (add{" "}
          <code className="font-mono">-- --instances 4</code> for more) and open the URL it prints.
        </p>
      </Notice>
    );
  }
  if (lookup.kind === "forbidden") {
    return (
      <Notice title="The cluster admin API answers this machine only" testId="cluster-forbidden">
        <p>{lookup.message} Open this page on the machine running the demo, at its 127.0.0.1 address.</p>
      </Notice>
    );
  }
  if (lookup.kind === "error") {
    return (
      <Notice title="Could not reach the balancer" testId="cluster-error">
        <p>{lookup.message}</p>
      </Notice>
    );
  }

  const { balancer, policy, instances, admin, maxInstances, replication, redis } = lookup.state;
  const upCount = instances.filter((i) => i.status === "up").length;
  const atLimit = instances.length >= maxInstances;

  return (
    <div className="flex flex-col gap-5" data-testid="cluster" data-policy={policy}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <PolicySwitch
          policy={policy}
          disabled={busy !== null || !admin}
          onChoose={(next: Policy) => void act({ kind: "policy" }, "PUT", "/policy", { policy: next })}
        />
        {replication && (
          <ReplicationSwitch
            settings={replication}
            disabled={busy !== null || !admin}
            onChange={(next) => void act({ kind: "replication" }, "PUT", "/replication", next)}
          />
        )}
        <button
          type="button"
          data-testid="add-instance"
          disabled={busy !== null || !admin || atLimit}
          title={atLimit ? `The cluster is at its limit of ${maxInstances} instances (--max-instances)` : undefined}
          onClick={() => void act({ kind: "add" }, "POST", "/instances")}
          className="rounded-lg bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-white"
        >
          {busy?.kind === "add" ? "Starting a new instance…" : "Add an instance"}
        </button>
      </div>

      {!admin && (
        <p role="note" data-testid="cluster-read-only" className="rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:bg-sky-950 dark:text-sky-100">
          You can watch the cluster, but this browser cannot change it: open the link <code className="font-mono">npm run demo</code> printed once (it carries
          this run&apos;s admin token and gives this browser the controls).
        </p>
      )}
      {pollError && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
          Lost touch with the balancer ({pollError}); showing the last known state.
        </p>
      )}
      {actionError && (
        <p role="alert" data-testid="cluster-action-error" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
          {actionError}
        </p>
      )}
      {instances.some((i) => i.secretMismatch) && (
        <div
          role="alert"
          data-testid="secret-mismatch"
          className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
        >
          <p className="font-semibold">
            Instance{" "}
            {instances
              .filter((i) => i.secretMismatch)
              .map((i) => i.id)
              .join(", ")}{" "}
            runs with a different SESSION_SECRET.
          </p>
          <p className="mt-1">
            It cannot open cookies the others sealed, or verify their kv session ids: readers it serves look like strangers and lose their history. The lesson
            of Flask&apos;s <code className="font-mono">secret_key</code>: it must be the same on every server.
          </p>
        </div>
      )}
      {upCount === 0 && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
          No instance is up: every page and API call answers 503 until you start one.
        </p>
      )}

      <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table id="instances" className="w-full text-left text-sm" data-testid="instances">
          <caption className="sr-only">Instances behind the balancer</caption>
          <thead className="border-b border-zinc-200 text-xs text-zinc-500 uppercase dark:border-zinc-800 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-2 py-2 sm:px-4 font-medium">
                Instance
              </th>
              <th scope="col" className="hidden px-2 py-2 sm:px-4 font-medium sm:table-cell">
                Port
              </th>
              {/* PID only on wide screens: with the balancer's column the row would not fit a laptop. */}
              <th scope="col" className="hidden px-2 py-2 sm:px-4 font-medium 2xl:table-cell">
                PID
              </th>
              <th scope="col" className="px-2 py-2 sm:px-4 font-medium">
                Status
              </th>
              <th scope="col" className="hidden px-2 py-2 font-medium sm:table-cell sm:px-4">
                <abbr title="The balancer's own words for this instance: its state and its last health check on /api/ready">Balancer</abbr>
              </th>
              <th scope="col" className="px-2 py-2 sm:px-4 text-right font-medium">
                Requests served
              </th>
              <th scope="col" className="px-2 py-2 sm:px-4 text-right font-medium">
                Readers in memory
              </th>
              <th scope="col" className="hidden px-2 py-2 font-medium sm:table-cell sm:px-4">
                Secret
              </th>
              <th scope="col" className="hidden px-2 py-2 font-medium md:table-cell md:px-4">
                <abbr title="Whether this instance reaches the KV store (its background probe): an unreachable store never takes an instance out">KV</abbr>
              </th>
              <th scope="col" className="hidden px-2 py-2 font-medium lg:table-cell lg:px-4">
                <abbr title="replicated mode on this instance: whether it has caught up with its peers, which peers answer, and the slowest last lag">
                  Replication
                </abbr>
              </th>
              <th scope="col" className="px-2 py-2 sm:px-4 text-right font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {instances.map((instance) => (
              <InstanceRow
                key={instance.id}
                instance={instance}
                busy={busy?.kind === "instance" && busy.id === instance.id ? busy.action : null}
                disabled={busy !== null || !admin}
                onAction={(action) =>
                  void act({ kind: "instance", id: instance.id, action }, "POST", `/instances/${encodeURIComponent(instance.id)}/${action}`)
                }
              />
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="balancer-name">
        Refreshed every second from <code className="font-mono">GET /__cluster</code>, which asks {balancer ?? "the balancer"} itself (its Runtime API): status,
        the health check and requests served are what it does, not what the control plane believes. &ldquo;Readers in memory&rdquo; counts memory-mode sessions
        in that process: they vanish when it stops (replicated readers live on in the peers, and come back by state transfer). Stop means the instance&apos;s
        whole process group.
      </p>
      {redis?.mode === "cluster" && (
        <RedisNodes
          redis={redis}
          busy={busy?.kind === "redis" ? busy : null}
          disabled={busy !== null || !admin}
          onAction={(name, action) => void act({ kind: "redis", name, action }, "POST", `/redis/${encodeURIComponent(name)}/${action}`)}
        />
      )}
    </div>
  );
}

function InstanceRow({
  instance,
  busy,
  disabled,
  onAction,
}: {
  instance: ClusterInstance;
  busy: "stop" | "start" | null;
  disabled: boolean;
  onAction: (action: "stop" | "start") => void;
}) {
  // A process that runs can be stopped, even while the balancer holds it out (a failing check).
  const running = instance.pid !== null || instance.status === "starting";
  const action = running ? "stop" : "start";
  return (
    <tr data-testid="instance-row" data-instance={instance.id} data-status={instance.status}>
      <th scope="row" className="px-2 py-2.5 sm:px-4 font-normal">
        <span className={`inline-flex rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ${instanceColor(instance.id)}`}>{instance.id}</span>
      </th>
      <td className="hidden px-2 py-2.5 sm:px-4 font-mono text-zinc-700 sm:table-cell dark:text-zinc-300">{instance.port}</td>
      <td className="hidden px-2 py-2.5 sm:px-4 font-mono text-zinc-700 2xl:table-cell dark:text-zinc-300">{instance.pid ?? "—"}</td>
      <td className="px-2 py-2.5 sm:px-4">
        <StatusPill status={busy === "stop" ? "stopping" : busy === "start" ? "starting" : instance.status} />
      </td>
      <td className="hidden px-2 py-2.5 text-xs sm:table-cell sm:px-4" data-testid="instance-balancer" data-state={instance.balancer?.state ?? ""}>
        <BalancerCell balancer={instance.balancer} />
      </td>
      <td className="px-2 py-2.5 sm:px-4 text-right font-mono text-zinc-700 dark:text-zinc-300">{instance.served.toLocaleString("en")}</td>
      <td className="px-2 py-2.5 sm:px-4 text-right font-mono text-zinc-700 dark:text-zinc-300">{instance.readers ?? "—"}</td>
      <td className="hidden px-2 py-2.5 sm:table-cell sm:px-4" data-testid="instance-secret" data-mismatch={instance.secretMismatch ? "true" : "false"}>
        <span className="font-mono text-xs text-zinc-600 dark:text-zinc-300" title="SESSION_SECRET fingerprint (a one-way hash, not the secret)">
          {instance.secretFingerprint ?? "—"}
        </span>
        {instance.secretMismatch && <span className="ml-2 rounded bg-red-600 px-1.5 py-px text-[10px] font-bold text-white uppercase">differs</span>}
      </td>
      <td className="hidden px-2 py-2.5 text-xs md:table-cell md:px-4" data-testid="instance-kv" data-kv={instance.kv ?? "unknown"}>
        {instance.kv === "ready" && <span className="text-emerald-700 dark:text-emerald-400">ready</span>}
        {instance.kv === "unreachable" && <span className="font-semibold text-red-700 dark:text-red-400">unreachable</span>}
        {instance.kv === "not configured" && <span className="text-zinc-500 dark:text-zinc-400">off</span>}
        {instance.kv === null && <span className="text-zinc-500 dark:text-zinc-400">—</span>}
      </td>
      <td className="hidden px-2 py-2.5 text-xs lg:table-cell lg:px-4" data-testid="instance-replication">
        <ReplicationCell replication={instance.replication} />
      </td>
      <td className="px-2 py-2.5 sm:px-4 text-right">
        <button
          type="button"
          data-testid={`instance-${action}-${instance.id}`}
          disabled={disabled || instance.status === "starting"}
          onClick={() => onAction(action)}
          aria-label={`${running ? "Stop" : "Start"} instance ${instance.id}`}
          className={`rounded-md px-3 py-1 text-xs font-semibold ring-1 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-50 ${
            running
              ? "text-red-700 ring-red-300 hover:bg-red-50 dark:text-red-300 dark:ring-red-800 dark:hover:bg-red-950"
              : "text-emerald-700 ring-emerald-300 hover:bg-emerald-50 dark:text-emerald-300 dark:ring-emerald-800 dark:hover:bg-emerald-950"
          }`}
        >
          {busy ? "…" : running ? "Stop" : "Start"}
        </button>
      </td>
    </tr>
  );
}

function BalancerCell({ balancer }: { balancer: ClusterInstance["balancer"] }) {
  if (!balancer) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  const tone = balancer.inRotation ? "text-emerald-700 dark:text-emerald-400" : "text-zinc-600 dark:text-zinc-300";
  return (
    <span className="whitespace-nowrap">
      <span className={`font-mono font-semibold ${tone}`}>{balancer.state}</span>
      {balancer.lastCheck && <span className="font-mono text-zinc-500 dark:text-zinc-400"> · {balancer.lastCheck}</span>}
    </span>
  );
}

function ReplicationCell({ replication }: { replication: ClusterInstance["replication"] }) {
  if (!replication) return <span className="text-zinc-500 dark:text-zinc-400">—</span>;
  if (!replication.caughtUp) return <span className="font-semibold text-amber-700 dark:text-amber-400">catching up…</span>;
  const peers = replication.peersUp + replication.peersDown;
  return (
    <span className="text-zinc-700 dark:text-zinc-300">
      <span className={replication.peersDown > 0 ? "font-semibold text-amber-700 dark:text-amber-400" : "text-emerald-700 dark:text-emerald-400"}>
        {replication.peersUp}/{peers} peers
      </span>
      {replication.backlog > 0 && <> · {replication.backlog} waiting</>}
      {replication.lastLagMs !== null && <span className="whitespace-nowrap"> · lag {replication.lastLagMs} ms</span>}
    </span>
  );
}
