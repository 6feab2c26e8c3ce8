/** Parsing what a Redis Cluster says about itself (CLUSTER NODES, CLUSTER INFO) and merging the views. */
import { describe, expect, it } from "vitest";
import { countSlots, mergeView, ownsSlot, parseClusterNodes, parseInfo, unhealthyReason, type NodeReport } from "../../scripts/lib/redis-cluster-view";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const HERE = { host: "127.0.0.1", port: 7001 };

// As Redis 7.0 prints it: a master with two ranges and a slot being migrated, a replica, a failed master.
const NODES = [
  `${A} 127.0.0.1:7001@17001 myself,master - 0 1700000000000 1 connected 0-5460 9000 [5461->-${B}]`,
  `${B} 127.0.0.1:7002@17002 slave ${A} 0 1700000000000 1 connected`,
  `${C} 127.0.0.1:7003@17003,redis-3 master,fail - 1700000000000 1700000000000 3 disconnected 10923-16383`,
  "",
].join("\n");

describe("parseClusterNodes", () => {
  it("reads roles, masters, link state and owned slot ranges, skipping migrating slots", () => {
    const [a, b, c] = parseClusterNodes(NODES);
    expect(a).toMatchObject({ nodeId: A, host: "127.0.0.1", port: 7001, role: "master", masterId: null, linkState: "connected" });
    expect(a!.slots).toEqual([
      [0, 5460],
      [9000, 9000],
    ]);
    expect(a!.flags).toEqual(["myself", "master"]);
    expect(b).toMatchObject({ role: "replica", masterId: A, slots: [] });
    expect(c).toMatchObject({ port: 7003, role: "master", linkState: "disconnected", slots: [[10923, 16383]] });
    expect(c!.flags).toContain("fail");
  });

  it("counts and looks up slots in ranges", () => {
    expect(
      countSlots([
        [0, 5460],
        [9000, 9000],
      ]),
    ).toBe(5462);
    expect(ownsSlot([[0, 5460]], 5460)).toBe(true);
    expect(ownsSlot([[0, 5460]], 5461)).toBe(false);
  });
});

describe("mergeView", () => {
  const identities = [7001, 7002, 7003].map((port, i) => ({ name: `n${i + 1}`, host: "127.0.0.1", port, pid: null, process: "external" as const }));
  const report = (text: string): NodeReport => ({ address: HERE, lines: parseClusterNodes(text), info: new Map(), replicaLinkUp: null });

  it("names each replica's master and takes failure flags from every report", () => {
    const suspicious = report(NODES.replace("master,fail", "master,fail?"));
    const [n1, n2, n3] = mergeView(identities, [suspicious, report(NODES)]);
    expect(n1).toMatchObject({ name: "n1", role: "master", cluster: "up", flags: ["master"] });
    expect(n2).toMatchObject({ role: "replica", replicaOf: "n1" });
    expect(n3).toMatchObject({ role: "master", cluster: "fail" });
    expect(mergeView(identities, [suspicious])[2]!.cluster).toBe("pfail");
  });

  it("says unknown for a node no report lists", () => {
    expect(mergeView(identities, [])[0]).toMatchObject({ cluster: "unknown", role: null, nodeId: null, slots: [] });
  });
});

describe("unhealthyReason", () => {
  const healthy = parseInfo("# Cluster\r\ncluster_state:ok\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:2\r\n");
  const lines = parseClusterNodes(
    [`${A} 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-16383`, `${B} 127.0.0.1:7002@17002 slave ${A} 0 0 1 connected`].join("\n"),
  );
  const report = (info: Map<string, string>, replicaLinkUp: boolean | null = null): NodeReport => ({ address: HERE, lines, info, replicaLinkUp });

  it("is null for a healthy cluster, and names the first problem otherwise", () => {
    expect(unhealthyReason([report(healthy), report(healthy, true)], 2)).toBeNull();
    expect(unhealthyReason([report(healthy)], 2)).toMatch(/1 of 2 nodes do not answer/);
    expect(unhealthyReason([report(healthy), report(healthy, false)], 2)).toMatch(/no link to its master/);
    const failing = new Map(healthy).set("cluster_state", "fail");
    expect(unhealthyReason([report(failing), report(healthy)], 2)).toMatch(/cluster_state:fail/);
  });
});
