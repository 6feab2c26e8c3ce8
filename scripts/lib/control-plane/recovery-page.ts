/**
 * The page a browser gets when every instance is stopped: there is no app left to render anything,
 * so the control plane answers instead. It says what happened and offers one button that starts
 * every stopped instance through the admin API, shows each one's progress, and reloads the page the
 * reader asked for once an instance is up. API clients get the JSON 503 instead (see balancer.ts).
 *
 * Self-contained: inline style and script carry a per-response nonce, so the page keeps a strict
 * CSP (no 'unsafe-inline') while the app's own stylesheet and scripts are unreachable.
 */
import { randomBytes } from "node:crypto";

export interface RecoveryPage {
  html: string;
  headers: Record<string, string>;
}

/** Only what this page needs: its own nonce'd style and script, fetches to this origin. */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

const STYLE = `
  :root { color-scheme: light dark; font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #fafafa; color: #18181b; }
  @media (prefers-color-scheme: dark) { body { background: #09090b; color: #f4f4f5; } .card { background: #18181b !important; border-color: #3f3f46 !important; } .muted { color: #a1a1aa !important; } }
  main { padding: 1.5rem; max-width: 34rem; }
  .card { background: #fff; border: 1px solid #e4e4e7; border-radius: 0.9rem; padding: 1.75rem; box-shadow: 0 1px 2px rgba(0,0,0,.05); }
  h1 { font-family: Georgia, "Times New Roman", serif; font-size: 1.6rem; margin: 0 0 .5rem; }
  p { line-height: 1.55; margin: .5rem 0; }
  .muted { color: #52525b; font-size: .9rem; }
  button { margin-top: 1rem; font: inherit; font-weight: 600; font-size: .95rem; padding: .6rem 1.1rem; border-radius: .55rem; border: 0;
    background: #18181b; color: #fff; cursor: pointer; }
  @media (prefers-color-scheme: dark) { button { background: #f4f4f5; color: #18181b; } }
  button:focus-visible { outline: 2px solid #0284c7; outline-offset: 2px; }
  button:disabled { opacity: .6; cursor: progress; }
  ul { list-style: none; padding: 0; margin: 1rem 0 0; font-family: ui-monospace, monospace; font-size: .9rem; }
  li { padding: .15rem 0; }
  .error { color: #b91c1c; }
  @media (prefers-color-scheme: dark) { .error { color: #fca5a5; } }
  code { font-family: ui-monospace, monospace; font-size: .9em; }
`;

/**
 * Starts every instance that is not up (in parallel, as the cluster starts them), then reloads.
 * Each admin call is same-origin JSON, which is what the admin API requires of a browser.
 */
const SCRIPT = `
  const button = document.getElementById("start-all");
  const list = document.getElementById("progress");
  const status = document.getElementById("status");
  function line(id, text, isError) {
    let item = document.getElementById("instance-" + id);
    if (!item) { item = document.createElement("li"); item.id = "instance-" + id; list.append(item); }
    item.textContent = "Instance " + id + ": " + text;
    item.className = isError ? "error" : "";
    item.setAttribute("data-testid", "recovery-instance");
  }
  async function admin(method, path) {
    const response = await fetch("/__cluster" + path, { method, headers: { "Content-Type": "application/json" }, body: method === "GET" ? undefined : "{}" });
    const body = await response.json().catch(() => null);
    if (response.status === 401) {
      throw new Error("this browser cannot control the cluster: open the link npm run demo printed (it carries this run's admin token), then this page again");
    }
    if (!response.ok) throw new Error(body && body.error ? body.error.message : "the balancer answered " + response.status);
    return body;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.className = "muted";
    status.textContent = "Starting…";
    try {
      const state = await admin("GET", "");
      const stopped = state.instances.filter((instance) => instance.status !== "up");
      stopped.forEach((instance) => line(instance.id, "starting…"));
      const results = await Promise.allSettled(stopped.map(async (instance) => {
        await admin("POST", "/instances/" + encodeURIComponent(instance.id) + "/start");
        line(instance.id, "up");
      }));
      results.forEach((result, i) => { if (result.status === "rejected") line(stopped[i].id, result.reason.message, true); });
      if (results.some((result) => result.status === "fulfilled") || stopped.length === 0) {
        status.textContent = "Back up. Reloading the page you asked for…";
        location.reload();
      } else {
        status.textContent = "No instance could be started; see the messages above and the demo's log.";
        button.disabled = false;
      }
    } catch (error) {
      status.textContent = "Could not start the cluster: " + error.message;
      status.className = "error";
      button.disabled = false;
    }
  });
`;

export function recoveryPage(): RecoveryPage {
  const nonce = randomBytes(16).toString("base64");
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Every instance is stopped · Newsroom</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
  <div class="card" data-testid="recovery">
    <h1>Every instance is stopped</h1>
    <p>This cluster's server instances have all been stopped, so none of them can show you this page. The load balancer is
    answering instead.</p>
    <p class="muted">Your reading history is safe wherever your session mode keeps it: in your cookie, in Redis, or in the
    database. Memory mode's history went with the instances that held it.</p>
    <button type="button" id="start-all" data-testid="recovery-start">Start all instances</button>
    <p id="status" class="muted" role="status" aria-live="polite"></p>
    <ul id="progress" aria-label="Instances"></ul>
    <p class="muted">Or from a terminal: <code>POST /__cluster/instances/{id}/start</code>, or restart <code>npm run demo</code>.</p>
  </div>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
  return {
    html,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": contentSecurityPolicy(nonce),
      "Retry-After": "5",
    },
  };
}
