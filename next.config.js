// @ts-check

const isDev = process.env.NODE_ENV !== "production";

/**
 * Content-Security-Policy for every page. Next.js inlines its bootstrap scripts and React sets
 * inline styles (the inspector's size bar), hence 'unsafe-inline' for those two; everything
 * else comes from this origin only, and the app may not be framed. Development adds what the
 * dev server's hot reload needs (eval, a websocket).
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The header badge and the tests read X-Instance-Id; never let a CDN-style cache answer for an instance.
  poweredByHeader: false,
  // Several instances are built once and started many times: keep the build output in one place.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: contentSecurityPolicy },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
