import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** An import a layer may not make, with why; matched against the import's text (relative or "@/…"). */
const forbid = (group, message) => ({ group, message });

/**
 * The layers, lowest first: lib/seen (the seen-set, its codec, feed selection: no I/O) ← lib/news
 * and lib/session ← lib/http, lib/reader.ts ← app/ and components/; scripts/ drives the app from
 * outside. An import that runs back up a layer fails lint, so the knots found in issue 12 (news
 * and session importing each other, scripts importing e2e/) cannot come back.
 */
const OUTSIDE_THE_APP = [
  forbid(["**/scripts/**", "**/e2e/**", "**/tests/**"], "The app does not import the scripts, tests or e2e that drive it."),
  forbid(["**/bench/**"], "Bench-only code registers itself from instrumentation.ts; the product never names it."),
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    // Playwright fixtures call their callback `use`, which the React hooks rule mistakes for React's use().
    files: ["e2e/**/*.ts"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    files: ["lib/seen/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...OUTSIDE_THE_APP,
            forbid(
              ["**/session/**", "**/news/**", "**/http/**", "**/components/**", "**/app/**"],
              "lib/seen is the ground floor: it imports nothing of the app.",
            ),
          ],
        },
      ],
    },
  },
  {
    files: ["lib/news/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...OUTSIDE_THE_APP,
            forbid(["**/session/**", "**/http/**", "**/components/**", "**/app/**"], "lib/news knows articles, not sessions or HTTP."),
          ],
        },
      ],
    },
  },
  {
    files: ["lib/session/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...OUTSIDE_THE_APP,
            forbid(["**/news/**", "**/http/**", "**/components/**", "**/app/**"], "Stores know seen-sets (lib/seen), not articles or HTTP."),
          ],
        },
      ],
    },
  },
  {
    files: ["lib/**", "components/**", "app/**", "proxy.ts"],
    ignores: ["lib/seen/**", "lib/news/**", "lib/session/**"],
    rules: { "no-restricted-imports": ["error", { patterns: OUTSIDE_THE_APP }] },
  },
  {
    files: ["scripts/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [forbid(["**/e2e/**", "**/tests/**"], "Scripts do not depend on the test suites; shared code lives under scripts/lib/.")] },
      ],
    },
  },
  globalIgnores([".next/**", "node_modules/**", "next-env.d.ts", "bench/results/**", "test-results/**", "playwright-report/**"]),
]);
