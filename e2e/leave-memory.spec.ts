/**
 * Leaving memory mode tells the truth before it happens. Under round-robin each instance holds a
 * different share of what the tab was shown; the switch moves only the share of the instance that
 * answers. The warning must name that instance's count, and the stories it predicts will come back
 * must come back (the control: the bug, shown), while the ones it moved never do.
 */
import type { ModeSwitchResult } from "../lib/api-contract";
import { chooseModeFirst, expect, test } from "./support/fixtures";

test("leaving memory mode: the warning names the right counts, and the stories it predicts come back", async ({ page, reader }) => {
  await chooseModeFirst(page, "memory");
  await reader.open();
  for (let i = 0; i < 3; i++) await reader.more();

  // What each instance holds, worked out from which instance served which load.
  const heldBy = new Map<string, Set<string>>();
  for (const load of reader.loads) {
    const held = heldBy.get(load.instance!) ?? new Set<string>();
    load.ids.forEach((id) => held.add(id));
    heldBy.set(load.instance!, held);
  }
  const shown = new Set(reader.allIds());
  expect(heldBy.size, "round-robin spread the loads").toBeGreaterThan(1);

  // Ask until the answering instance holds less than the tab was shown (so something must come back).
  const warning = page.getByTestId("leave-memory");
  let instance = "";
  for (let attempt = 0; attempt < 6; attempt++) {
    await page.getByTestId("mode-kv").click();
    await expect(page.getByTestId("leave-memory-text")).toBeVisible();
    instance = (await warning.getAttribute("data-instance"))!;
    if ((heldBy.get(instance)?.size ?? 0) < shown.size) break;
    await page.getByTestId("leave-memory-cancel").click();
  }
  const held = heldBy.get(instance) ?? new Set<string>();
  const expectedReturning = [...shown].filter((id) => !held.has(id));
  expect(expectedReturning.length, "an instance holding only part of the history answered").toBeGreaterThan(0);

  await expect(warning).toHaveAttribute("data-shown", String(shown.size));
  await expect(warning).toHaveAttribute("data-held", String(held.size));
  expect((await warning.getAttribute("data-returning-ids"))!.split(" ").sort()).toEqual(expectedReturning.sort());
  await expect(page.getByTestId("leave-memory-text")).toContainText(`holds ${held.size} of the ${shown.size} stories`);
  await expect(page.getByTestId("leave-memory-text")).toContainText(`The other ${expectedReturning.length}`);

  const [switched] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/session/mode") && r.request().method() === "PUT"),
    page.getByTestId("leave-memory-confirm").click(),
  ]);
  const answer = (await switched.json()) as ModeSwitchResult;
  expect(answer.instance.id, "the switch went to the instance the warning described").toBe(instance);
  expect(answer.migrated.seen).toBe(held.size);
  await expect(page.getByTestId("mode-kv")).toHaveAttribute("aria-checked", "true");

  // Read kv to the end: what was predicted comes back once, what moved never does.
  const before = reader.loads.length;
  for (let i = 0; i < 20 && (await page.getByTestId("caught-up").count()) === 0; i++) await reader.more();
  const kvIds = reader.loads.slice(before).flatMap((load) => load.ids);
  expect(new Set(kvIds).size, "kv itself repeats nothing").toBe(kvIds.length);
  expect(
    kvIds.filter((id) => held.has(id)),
    "moved to kv, so never shown again",
  ).toEqual([]);
  expect(
    expectedReturning.filter((id) => !kvIds.includes(id)),
    "predicted to come back, and did",
  ).toEqual([]);
});
