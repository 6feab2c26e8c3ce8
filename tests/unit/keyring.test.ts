/** SESSION_SECRET as a keyring: which id seals (and signs), and the errors that say what to fix. */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, keyring, sessionKeyring } from "@/lib/session/config";

const A = "a".repeat(32);
const B = "b".repeat(32);

afterEach(() => {
  delete process.env.SESSION_SECRET_SEAL_ID;
});

describe("keyring", () => {
  it("reads a plain secret as the id 1, as iron-session does", () => {
    expect(keyring(A)).toEqual({ secrets: { 1: A }, sealId: "1" });
  });

  it("seals with the highest id by default, compared as numbers", () => {
    expect(keyring({ 9: A, 10: B }).sealId).toBe("10");
  });

  it("seals with SESSION_SECRET_SEAL_ID during a rollout, and refuses an id the map lacks", () => {
    process.env.SESSION_SECRET = JSON.stringify({ 2: B, 1: A });
    process.env.SESSION_SECRET_SEAL_ID = "1";
    expect(sessionKeyring()).toEqual({ secrets: { 1: A, 2: B }, sealId: "1" });
    process.env.SESSION_SECRET_SEAL_ID = "3";
    expect(() => sessionKeyring()).toThrow(ConfigError);
    expect(() => sessionKeyring()).toThrow(/not an id of SESSION_SECRET \(ids: 1, 2; a plain SESSION_SECRET is id "1"\)/);
    delete process.env.SESSION_SECRET;
  });
});
