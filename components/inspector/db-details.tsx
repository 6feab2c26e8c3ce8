"use client";

import type { DbStoreDetails } from "@/lib/api-contract";
import { TtlCountdown } from "./ttl-countdown";

/** db mode: the browser holds only a signed random id; the history is one row of a PostgreSQL table. */
export function DbDetails({ details, fetchedAt }: { details: DbStoreDetails; fetchedAt: number }) {
  if (details.rowBytes === 0) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="db-empty">
        No row for you yet in <code className="font-mono">{details.table}</code>: the first feed page creates one. Your browser will then hold only a signed
        random id (<code className="font-mono">nr_db</code>); the history stays in PostgreSQL.
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Your browser holds only a signed random id (<code className="font-mono">nr_db</code>). Every instance reads and writes your row of{" "}
        <code className="font-mono">{details.table}</code>, one SQL function call per request that locks the row, picks and records in one transaction.
      </p>
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Table</dt>
        <dd data-testid="db-table">
          <code className="font-mono text-xs">{details.table}</code>, one row per reader: two bitmap columns (<code className="font-mono">bytea</code>) and{" "}
          <code className="font-mono">expires_at</code>
        </dd>
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Expires in</dt>
        <dd>
          {details.ttlMs !== null ? (
            <TtlCountdown ttlMs={details.ttlMs} fetchedAt={fetchedAt} testId="db-ttl" />
          ) : (
            <span data-testid="db-ttl">no expiry set</span>
          )}
          <span className="ml-2 text-xs text-zinc-500 dark:text-zinc-400">sliding: every request moves expires_at; a sweeper deletes expired rows</span>
        </dd>
        <dt className="font-medium text-zinc-800 dark:text-zinc-200">Bytes used</dt>
        <dd data-testid="db-bytes">
          {details.rowBytes} B for the row (seen {details.seenBytes} B, opened {details.readBytes} B; PostgreSQL&apos;s own sizes, compressed when it pays)
        </dd>
      </dl>
    </div>
  );
}
