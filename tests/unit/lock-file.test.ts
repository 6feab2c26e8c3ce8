/**
 * package-lock.json must let `npm ci` install on every platform, not only the one that wrote it:
 * npm refuses a lock file that lacks any optional dependency of a locked package (the native
 * builds of Next's SWC, Tailwind's oxide, unrs-resolver, lightningcss, esbuild for each OS and
 * CPU), even when that package is for another platform. It also must match package.json.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<
    string,
    { version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
  >;
};
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Where npm would find `name` for the package at `from` (node_modules lookup, innermost first). */
function resolves(from: string, name: string): boolean {
  let base = from;
  for (;;) {
    if (`${base ? `${base}/` : ""}node_modules/${name}` in lock.packages) return true;
    const cut = base.lastIndexOf("/node_modules/");
    if (base === "") return false;
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}

describe("package-lock.json", () => {
  it("holds every optional (platform) dependency of every locked package", () => {
    const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !resolves(path, name))
        .map((name) => `${path || "(root)"} -> ${name}`),
    );
    expect(missing, "regenerate the lock from a clean directory: rm -rf node_modules package-lock.json && npm install --package-lock-only").toEqual([]);
    // Negative control: the lookup does report a package that is not there.
    expect(resolves("node_modules/next", "@next/swc-not-a-platform")).toBe(false);
  });

  it("has the dependencies package.json declares, at its root", () => {
    const root = lock.packages[""]!;
    expect(root.dependencies).toEqual(manifest.dependencies);
    expect(root.devDependencies).toEqual(manifest.devDependencies);
  });
});
