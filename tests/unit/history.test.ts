/** "Shown to you": the reader's seen-set, newest first, in pages that neither skip nor repeat. */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { getCatalogue } from "@/lib/news/catalogue";
import { markArticleRead, nextFeedPage, readHistory } from "@/lib/reader";
import { SeqSet } from "@/lib/seen/seq-set";
import { TEST_PASSWORD } from "../support/stores";
import { TestJar } from "../support/test-jar";

beforeAll(() => {
  process.env.SESSION_SECRET ??= TEST_PASSWORD;
});

describe("SeqSet.descending", () => {
  it("yields the members below a bound, newest first", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 3000 }), { maxLength: 200 }), fc.integer({ min: 0, max: 3100 }), (seqs, below) => {
        const expected = seqs.filter((seq) => seq < below).sort((a, b) => b - a);
        expect([...SeqSet.of(seqs).descending(below)]).toEqual(expected);
        expect([...SeqSet.of(seqs).descending()]).toEqual([...seqs].sort((a, b) => b - a));
      }),
    );
  });
});

describe("readHistory", () => {
  it("pages through every article the feed showed, newest first, marking the opened ones", async () => {
    const jar = new TestJar();
    const shown: number[] = [];
    for (let page = 0; page < 4; page++) shown.push(...(await nextFeedPage(jar, { limit: 9 })).articles.map((a) => a.seq));
    const opened = getCatalogue().bySeq(shown[5]!)!;
    await markArticleRead(jar, opened.id);

    const listed: { seq: number; read: boolean }[] = [];
    let cursor: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await readHistory(jar, { cursor, limit: 7 });
      expect(page.seenCount).toBe(36);
      expect(page.readCount).toBe(1);
      listed.push(...page.articles.map((a) => ({ seq: a.seq, read: a.read })));
      if (!page.nextCursor) break;
      cursor = Number(page.nextCursor);
    }
    expect(listed.map((a) => a.seq)).toEqual([...shown].sort((a, b) => b - a));
    expect(listed.filter((a) => a.read).map((a) => a.seq)).toEqual([opened.seq]);
  });

  it("says there is no next page when the last page is exactly full", async () => {
    const jar = new TestJar();
    await nextFeedPage(jar, { limit: 10 });
    const page = await readHistory(jar, { limit: 10 });
    expect(page.articles).toHaveLength(10);
    expect(page.nextCursor).toBeNull();
  });

  it("is empty, with no cursor, for a reader who was shown nothing", async () => {
    expect(await readHistory(new TestJar(), { limit: 20 })).toMatchObject({ articles: [], nextCursor: null, seenCount: 0 });
  });
});
