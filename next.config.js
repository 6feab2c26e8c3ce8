// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The header badge and the tests read X-Instance-Id; never let a CDN-style cache answer for an instance.
  poweredByHeader: false,
  // Several instances are built once and started many times: keep the build output in one place.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // npm test runs `tsc --noEmit` over the whole project (app, scripts and tests) just before it
  // builds, and sets NEWSROOM_TYPECHECKED=1 only when that passed: checking the app again here
  // would repeat ~20 s of the same work. Every other build (demo, dev, CI's own) still checks.
  typescript: { ignoreBuildErrors: process.env.NEWSROOM_TYPECHECKED === "1" },
  // The Content-Security-Policy, with a nonce per response, is set in proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
