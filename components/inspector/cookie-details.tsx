import type { CookieStoreDetails } from "@/lib/api-contract";

/** cookie mode: the whole history rides in one sealed cookie, so its size is what matters. */
export function CookieDetails({ details }: { details: CookieStoreDetails }) {
  const share = Math.min(1, details.cookieBytes / details.limitBytes);
  const tone = share > 0.9 ? "bg-red-600" : share > 0.6 ? "bg-amber-500" : "bg-emerald-600";
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Your history lives in your browser, in the <code className="font-mono">{details.cookieName}</code> cookie, sealed with iron-session (AES-256 + HMAC).
        Every instance can open it with the shared secret; none of them stores anything.
      </p>
      <div>
        <div className="mb-1 flex items-baseline justify-between text-sm">
          <span className="font-medium text-zinc-800 dark:text-zinc-200">Set-Cookie size</span>
          <span className="font-mono text-zinc-700 dark:text-zinc-300">
            <span data-testid="cookie-bytes">{details.cookieBytes}</span> / {details.limitBytes} bytes
          </span>
        </div>
        <div
          role="meter"
          aria-label="Session cookie size against the browser's 4,096-byte limit"
          aria-valuemin={0}
          aria-valuemax={details.limitBytes}
          aria-valuenow={details.cookieBytes}
          aria-valuetext={`${details.cookieBytes} of ${details.limitBytes} bytes`}
          className="h-3 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div className={`h-full ${tone}`} style={{ width: `${Math.max(share * 100, details.cookieBytes > 0 ? 0.5 : 0)}%` }} />
        </div>
        <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
          Sealed value: <span data-testid="cookie-value-bytes">{details.valueBytes}</span> bytes; the rest is the name and attributes. The seen-set inside is
          run-length coded, so reading in feed order costs almost nothing.
        </p>
      </div>
      {details.rejected && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100">
          The cookie your browser sent could not be opened ({details.rejected}), so you start a fresh session.
        </p>
      )}
    </div>
  );
}
