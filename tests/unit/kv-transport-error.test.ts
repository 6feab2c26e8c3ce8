/**
 * An outage must be recognised whichever copy of kv-transport.ts threw it: Next.js bundles the
 * module once per entry (the start-up probe's, each route's) while the transport object is shared
 * process-wide, so `instanceof` against another copy's class is false (an e2e run turned a Redis
 * outage into a 500 that way).
 */
import { describe, expect, it, vi } from "vitest";
import { isKvOutage } from "@/lib/session/kv/kv-client";
import { isKvTransportError, KvTransportError } from "@/lib/session/kv/kv-transport";

describe("isKvTransportError", () => {
  it("recognises an error made by another copy of the module, where instanceof does not", async () => {
    vi.resetModules();
    const other = await import("@/lib/session/kv/kv-transport");
    expect(other.KvTransportError).not.toBe(KvTransportError);
    const foreign = new other.KvTransportError("the KV endpoint answered 503: UNAVAILABLE");
    expect(foreign instanceof KvTransportError).toBe(false);
    expect(isKvTransportError(foreign)).toBe(true);
    expect(isKvOutage(foreign)).toBe(true);
  });

  it("is not fooled by an error that only borrows the name", () => {
    const impostor = Object.assign(new Error("ERR wrong number of arguments"), { name: "KvTransportError" });
    expect(isKvTransportError(impostor)).toBe(false);
    expect(isKvTransportError(null)).toBe(false);
    expect(isKvTransportError("KvTransportError")).toBe(false);
  });
});
