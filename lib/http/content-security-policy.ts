/**
 * The Content-Security-Policy of every page, with a fresh nonce per response (set by proxy.ts).
 * Scripts run only when they carry the nonce: Next.js puts it on its own bootstrap and inline
 * scripts (it reads it from the request's copy of this header), and 'strict-dynamic' extends the
 * trust to the chunks those scripts load. An injected <script> has no nonce and does not run, so
 * 'unsafe-inline' is gone from script-src. Styles keep 'unsafe-inline': React writes style
 * attributes (the inspector's size bar), which nonces cannot cover, and a style cannot run code.
 * Development adds what the dev server's hot reload needs (eval, a websocket).
 */
export function contentSecurityPolicy(nonce: string, development = process.env.NODE_ENV !== "production"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** 128 random bits, base64: unguessable, and fresh for every response. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
