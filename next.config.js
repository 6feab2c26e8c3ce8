// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The header badge and the tests read X-Instance-Id; never let a CDN-style cache answer for an instance.
  poweredByHeader: false,
  // Several instances are built once and started many times: keep the build output in one place.
  distDir: process.env.NEXT_DIST_DIR || ".next",
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
