/**
 * Which Chromium the suite drives: Playwright's own if `npx playwright install` put it there,
 * else Debian's /usr/bin/chromium, else (as root) apt-get installs it, else an exact instruction.
 * Debian's build needs flags that keep it off the network and out of the sandbox it cannot use.
 */
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";
import { ensureProgram, which } from "./system-deps";

export const DEBIAN_CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Path to use as executablePath, or undefined for Playwright's bundled browser. Never installs. */
export function findChromium(): string | undefined {
  if (existsSync(chromium.executablePath())) return undefined;
  return which("chromium") ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
}

/** Like findChromium, but installs Debian's package when possible, or throws saying what to run. */
export function ensureChromium(): string | undefined {
  if (existsSync(chromium.executablePath())) return undefined;
  try {
    return ensureProgram("chromium", "chromium");
  } catch (error) {
    throw new Error(`${(error as Error).message}\n(or install Playwright's own browser: npx playwright install chromium)`);
  }
}
