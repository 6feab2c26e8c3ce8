/** The seal cache skips iron's crypto for seals this process has already verified, and only those. */
import { sealData } from "iron-session";
import { describe, expect, it, vi } from "vitest";
import { sealRemembered, unsealRemembered } from "@/lib/session/seal-cache";

const A = "a".repeat(32) + "-password-one";
const B = "b".repeat(32) + "-password-two";

describe("seal cache", () => {
  it("returns what was sealed, for the password it was sealed with only", async () => {
    const seal = await sealRemembered({ sid: "x", n: 1 }, A, 60);
    expect(await unsealRemembered(seal, A, 60)).toEqual({ sid: "x", n: 1 });
    expect(await unsealRemembered(seal, B, 60)).toEqual({});
    expect(await unsealRemembered(`${seal.slice(0, -2)}zz`, A, 60)).toEqual({});
  });

  it("learns seals made elsewhere once iron has verified them", async () => {
    const seal = await sealData({ sid: "elsewhere" }, { password: A, ttl: 60 });
    expect(await unsealRemembered(seal, A, 60)).toEqual({ sid: "elsewhere" });
    expect(await unsealRemembered(seal, A, 60)).toEqual({ sid: "elsewhere" });
  });

  it("hands an expired seal back to iron, which refuses it", async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const seal = await sealRemembered({ sid: "old" }, A, 1);
      expect(await unsealRemembered(seal, A, 1)).toEqual({ sid: "old" });
      vi.setSystemTime(Date.now() + 120_000); // past the expiry and iron's 60 s clock-skew allowance
      expect(await unsealRemembered(seal, A, 1)).toEqual({});
    } finally {
      vi.useRealTimers();
    }
  });
});
