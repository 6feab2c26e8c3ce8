// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The header badge and the tests read X-Instance-Id; never let a CDN-style cache answer for an instance.
  poweredByHeader: false,
  // Several instances are built once and started many times: keep the build output in one place.
  distDir: process.env.NEXT_DIST_DIR || ".next",
};

module.exports = nextConfig;
