"use client";

import { useEffect, useState } from "react";

function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const parts =
    days > 0
      ? [`${days}d`, `${hours}h`, `${minutes}m`, `${seconds}s`]
      : hours > 0
        ? [`${hours}h`, `${minutes}m`, `${seconds}s`]
        : [`${minutes}m`, `${seconds}s`];
  return parts.join(" ");
}

/** Counts down from the TTL the store reported when the inspector last asked. */
export function TtlCountdown({ ttlMs, fetchedAt, testId }: { ttlMs: number; fetchedAt: number; testId: string }) {
  const [now, setNow] = useState(fetchedAt);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = ttlMs - (now - fetchedAt);
  return (
    <span data-testid={testId} data-ttl-ms={Math.max(0, left)} className="font-mono" aria-live="off">
      {left > 0 ? formatDuration(left) : "expired"}
    </span>
  );
}
