/** Which modes npm run chaos reads in: what the stack serves, minus memory, unless --modes says otherwise. */
import { describe, expect, it } from "vitest";
import { chooseModes } from "../../scripts/lib/chaos-modes";

/** What a stack's /api/health says, as stackModes() reads it: each mode, and why it cannot be served (null: it can). */
const stack = new Map<string, string | null>([
  ["cookie", null],
  ["kv", null],
  ["db", "The database is not configured: set DATABASE_URL=postgres://…"],
  ["memory", null],
]);

describe("chooseModes", () => {
  it("by default runs every mode the stack serves, in the registry's order, except memory", () => {
    expect(chooseModes(null, stack)).toEqual(["cookie", "kv"]);
    expect(chooseModes(null, new Map([...stack, ["db", null]]))).toEqual(["cookie", "kv", "db"]);
  });

  it("picks a new mode up without being told about it", () => {
    expect(chooseModes(null, new Map([...stack, ["replicated-async", null]]))).toEqual(["cookie", "kv", "replicated-async"]);
  });

  it("runs what --modes names, memory included, once each", () => {
    expect(chooseModes(["memory", "kv", "memory"], stack)).toEqual(["memory", "kv"]);
  });

  it("refuses a mode the stack does not have, listing the ones it has", () => {
    expect(() => chooseModes(["cookie", "redis"], stack)).toThrow(/no mode "redis" here; the stack's modes are cookie, kv, db, memory/);
  });

  it("refuses a mode whose store is missing, saying why", () => {
    expect(() => chooseModes(["db"], stack)).toThrow(/db mode is unavailable in this stack: The database is not configured/);
  });
});
