/** The replication channel's signatures: what verifies, and everything that must not. */
import { describe, expect, it } from "vitest";
import { keyring } from "@/lib/session/keyring";
import { AUTH_HEADERS, channelKeys, MAX_CLOCK_SKEW_MS, signMessage, verifyMessage } from "@/lib/session/replicated/channel-auth";

const OLD = "old-secret-old-secret-old-secret-old-0";
const NEW = "new-secret-new-secret-new-secret-new-0";
const keys = channelKeys(keyring(OLD));
const body = Buffer.from('{"replicas":[]}');
const NOW = 1_800_000_000_000;

describe("replication channel signatures", () => {
  it("verify a message signed with the shared secret, naming its sender", () => {
    const headers = signMessage(keys, "POST", "/replicate", "b", body, NOW);
    expect(verifyMessage(keys, "POST", "/replicate", headers, body, NOW)).toEqual({ ok: true, from: "b" });
  });

  it.each([
    ["another body", (h: Record<string, string>) => ({ headers: h, body: Buffer.from('{"replicas":[1]}'), path: "/replicate", method: "POST" })],
    ["another path", (h: Record<string, string>) => ({ headers: h, body, path: "/join", method: "POST" })],
    ["another method", (h: Record<string, string>) => ({ headers: h, body, path: "/replicate", method: "PUT" })],
    ["another sender", (h: Record<string, string>) => ({ headers: { ...h, [AUTH_HEADERS.from]: "c" }, body, path: "/replicate", method: "POST" })],
    [
      "no signature",
      (h: Record<string, string>) => ({
        headers: { ...h, [AUTH_HEADERS.signature]: undefined as unknown as string },
        body,
        path: "/replicate",
        method: "POST",
      }),
    ],
  ])("refuse %s", (_, change) => {
    const changed = change(signMessage(keys, "POST", "/replicate", "b", body, NOW));
    expect(verifyMessage(keys, changed.method, changed.path, changed.headers, changed.body, NOW).ok).toBe(false);
  });

  it("refuse a message signed with another secret", () => {
    const headers = signMessage(channelKeys(keyring(NEW)), "POST", "/replicate", "b", body, NOW);
    expect(verifyMessage(keys, "POST", "/replicate", headers, body, NOW)).toEqual({ ok: false, reason: "bad signature" });
  });

  it("refuse a replay older than the allowed clock skew", () => {
    const headers = signMessage(keys, "POST", "/replicate", "b", body, NOW);
    expect(verifyMessage(keys, "POST", "/replicate", headers, body, NOW + MAX_CLOCK_SKEW_MS + 1).ok).toBe(false);
  });

  it("keep working through a rolling rotation: either phase verifies the other", () => {
    const phaseOne = channelKeys(keyring({ 2: NEW, 1: OLD }, "1")); // new secret known, old one signs
    const phaseTwo = channelKeys(keyring({ 2: NEW, 1: OLD })); // new one signs
    const fromPhaseTwo = signMessage(phaseTwo, "POST", "/replicate", "a", body, NOW);
    expect(verifyMessage(phaseOne, "POST", "/replicate", fromPhaseTwo, body, NOW).ok).toBe(true);
    const fromPhaseOne = signMessage(phaseOne, "POST", "/replicate", "b", body, NOW);
    expect(verifyMessage(phaseTwo, "POST", "/replicate", fromPhaseOne, body, NOW).ok).toBe(true);
    // and an instance still on the old secret alone accepts phase one, whose signing key it shares
    expect(verifyMessage(keys, "POST", "/replicate", fromPhaseOne, body, NOW).ok).toBe(true);
  });

  it("derive a channel key that is not the secret itself", () => {
    expect(keys.signing.toString("utf8")).not.toContain(OLD.slice(0, 8));
    expect(keys.signing.length).toBe(32);
  });
});
