/** Runs once when a server instance starts; the checks themselves need Node.js, so they load only there. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { checkStartup } = await import("./lib/startup-check");
    checkStartup();
    // The bench's own modes exist only when the bench starts the server for itself.
    const { benchModes, benchModesEnabled } = await import("./bench/stores/registration");
    if (benchModesEnabled()) (await import("./lib/session/registry")).registerModes(benchModes);
    // Replicated mode: listen on the channel, join the peers, catch up (the front door waits on it).
    (await import("./lib/session/replicated/node-runtime")).startReplication();
    const { startStoreProbes } = await import("./lib/session/readiness");
    startStoreProbes();
    const { publishLiveness } = await import("./lib/health");
    publishLiveness();
  }
}
