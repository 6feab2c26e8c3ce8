/** Which failures make the cluster client re-read the topology (lib/session/redis-cluster-client.ts). */
import { ClientClosedError, ErrorReply, SocketClosedUnexpectedlyError } from "redis";
import { describe, expect, it } from "vitest";
import { meansNodeGone } from "../../lib/session/kv/redis-cluster-client";

describe("meansNodeGone", () => {
  it("is true for a node that is gone or a cluster in failover", () => {
    expect(meansNodeGone(new ClientClosedError())).toBe(true);
    expect(meansNodeGone(new SocketClosedUnexpectedlyError())).toBe(true);
    expect(meansNodeGone(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:7001"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(meansNodeGone(new ErrorReply("CLUSTERDOWN The cluster is down"))).toBe(true);
    expect(meansNodeGone(new ErrorReply("READONLY You can't write against a read only replica."))).toBe(true);
  });

  it("is false for a command Redis refused on its merits", () => {
    expect(meansNodeGone(new ErrorReply("CROSSSLOT Keys in request don't hash to the same slot"))).toBe(false);
    expect(meansNodeGone(new ErrorReply("ERR wrong number of arguments for 'set' command"))).toBe(false);
    expect(meansNodeGone(new ErrorReply("NOSCRIPT No matching script. Please use EVAL."))).toBe(false);
  });
});
