/** An instance dies mid-session and comes back: cookie and kv readers never notice. */
import { chooseModeFirst, expect, test } from "./support/fixtures";

for (const mode of ["cookie", "kv"] as const) {
  test(`${mode} mode: stop an instance mid-session, keep reading, start it again, keep reading: no repeats`, async ({ page, reader, cluster }) => {
    await chooseModeFirst(page, mode);
    await reader.open();
    await reader.more();
    await reader.more();

    await cluster.stop("b");
    await reader.more();
    await reader.reload();
    await reader.more();
    const whileDown = reader.loads.slice(3);
    expect(whileDown.every((l) => l.status === 200 && l.instance !== "b")).toBe(true);

    await cluster.start("b");
    for (let i = 0; i < 4; i++) await reader.more();
    expect(reader.loads.every((l) => l.status === 200)).toBe(true);
    expect(reader.repeats(), "articles shown twice").toEqual([]);
    expect(reader.allIds()).toHaveLength(100);
  });
}
