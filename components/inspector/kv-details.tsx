"use client";

import type { KvStoreDetails } from "@/lib/api-contract";
import { KvSlotRow } from "./kv-slot";
import { TtlCountdown } from "./ttl-countdown";

const TRANSPORTS: Record<KvStoreDetails["transport"], { label: string; how: React.ReactNode }> = {
  rest: {
    label: "REST",
    how: (
      <>
        <code className="font-mono">@vercel/kv</code> over the Upstash REST protocol (HTTP, pooled keep-alive connections)
      </>
    ),
  },
  redis: {
    label: "Redis protocol",
    how: (
      <>
        <code className="font-mono">node-redis</code> over the Redis protocol (one TCP connection per instance)
      </>
    ),
  },
};

/** Which transport answered and where it goes; the same row whether or not a session exists yet. */
function TransportRow({ details }: { details: KvStoreDetails }) {
  const transport = TRANSPORTS[details.transport];
  return (
    <>
      <dt className="font-medium text-zinc-800 dark:text-zinc-200">Transport</dt>
      <dd data-testid="kv-transport" data-transport={details.transport}>
        {transport.label}: {transport.how} to <code className="font-mono text-xs break-all">{details.endpoint}</code>
      </dd>
    </>
  );
}

/** kv mode: the browser holds only a signed random id; the history is two Redis bitmaps. */
export function KvDetails({ details, fetchedAt }: { details: KvStoreDetails; fetchedAt: number }) {
  if (!details.keys) {
    return (
      <div className="flex flex-col gap-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="kv-empty">
          No kv session yet: the first feed page creates one. Your browser will then hold only a signed random id (<code className="font-mono">nr_kv</code>);
          the history stays in Redis.
        </p>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
          <TransportRow details={details} />
        </dl>
      </div>
    );
  }
  const memory = details.usage.map((u) => u.memoryBytes);
  const memoryKnown = memory.every((m) => m !== null);
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Your browser holds only a signed random id (<code className="font-mono">nr_kv</code>). Every instance reads and writes these Redis keys, one atomic Lua
        script per request, sent by its SHA-1 (<code className="font-mono">EVALSHA</code>).
      </p>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <TransportRow details={details} />
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Keys</dt>
        <dd className="flex flex-col gap-1" data-testid="kv-keys">
          {details.usage.map((u) => (
            <code key={u.key} className="font-mono text-xs break-all text-zinc-700 dark:text-zinc-300">
              {u.key}{" "}
              <span className="text-zinc-500">
                · {u.valueBytes} B value{u.memoryBytes !== null ? `, ${u.memoryBytes} B in Redis` : ""}
              </span>
            </code>
          ))}
        </dd>
        {details.slot !== null && <KvSlotRow slot={details.slot} fetchedAt={fetchedAt} />}
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Expires in</dt>
        <dd>
          {details.ttlMs !== null ? (
            <TtlCountdown ttlMs={details.ttlMs} fetchedAt={fetchedAt} testId="kv-ttl" />
          ) : (
            <span data-testid="kv-ttl">no expiry set</span>
          )}
          <span className="ml-2 text-xs text-zinc-500 dark:text-zinc-400">sliding: every request starts it again</span>
        </dd>
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Bytes used</dt>
        <dd data-testid="kv-bytes">
          {details.bytes} B of bitmap data
          {memoryKnown && <> · {memory.reduce((a, b) => a! + b!, 0)} B in Redis memory (MEMORY USAGE, with Redis&apos;s own overhead)</>}
        </dd>
      </dl>
    </div>
  );
}
