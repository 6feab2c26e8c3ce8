/** Before any spec: a browser to drive and an up-to-date production build. The cluster itself is a worker fixture. */
import { ensureBuild } from "../../scripts/lib/build";
import { ensureChromium } from "../../scripts/lib/chromium";

export default function globalSetup(): void {
  const path = ensureChromium();
  console.log(`[e2e] browser: ${path ?? "Playwright's bundled Chromium"}`);
  ensureBuild((line) => console.log(line));
}
