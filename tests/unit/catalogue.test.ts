import { describe, expect, it } from "vitest";
import handWritten from "@/data/articles.json";
import { SECTIONS } from "@/lib/news/article";
import { loadCatalogue, parseCatalogueSize, parseHandWritten } from "@/lib/news/catalogue";
import { syntheticArticle } from "@/lib/news/synthetic";

describe("hand-written catalogue", () => {
  const articles = parseHandWritten(handWritten);

  it("has at least 120 valid articles across all six sections", () => {
    expect(articles.length).toBeGreaterThanOrEqual(120);
    for (const section of SECTIONS) expect(articles.filter((a) => a.section === section).length).toBeGreaterThanOrEqual(10);
  });

  it("is in publication order with unique slugs, 1-2 sentence summaries and multi-paragraph bodies", () => {
    articles.forEach((article, i) => {
      expect(article.seq).toBe(i + 1);
      if (i > 0) expect(Date.parse(article.publishedAt)).toBeGreaterThan(Date.parse(articles[i - 1]!.publishedAt));
      expect(article.body.length).toBeGreaterThanOrEqual(2);
      expect(article.summary.split(/(?<=[.!?])\s+(?=[A-Z"])/).length).toBeLessThanOrEqual(2);
    });
    expect(new Set(articles.map((a) => a.id)).size).toBe(articles.length);
  });

  it("rejects a catalogue with a gap in its seqs", () => {
    const broken = structuredClone(handWritten) as { seq: number }[];
    broken[3]!.seq = 99;
    expect(() => parseHandWritten(broken)).toThrow(/seq 99, expected 4/);
  });
});

describe("catalogue with the synthetic wire", () => {
  const catalogue = loadCatalogue({ size: 10_000 });

  it("puts the hand-written articles first and extends to the requested size", () => {
    expect(catalogue.size).toBe(10_000);
    expect(catalogue.bySeq(1)?.id).toBe((handWritten as { id: string }[])[0]!.id);
    expect(catalogue.bySeq(catalogue.handWrittenCount + 1)?.synthetic).toBe(true);
    expect(catalogue.bySeq(10_001)).toBeUndefined();
    expect(catalogue.bySeq(0)).toBeUndefined();
  });

  it("is deterministic: every instance generates the same article for a seq", () => {
    const again = loadCatalogue({ size: 10_000 });
    for (const seq of [127, 500, 9_999]) expect(again.bySeq(seq)).toEqual(catalogue.bySeq(seq));
    expect(syntheticArticle("other-seed", 500)).not.toEqual(catalogue.bySeq(500));
  });

  it("finds every article by id, and nothing by a forged id", () => {
    for (const seq of [1, 126, 127, 4_321, 10_000]) {
      const article = catalogue.bySeq(seq)!;
      expect(catalogue.byId(article.id)?.seq).toBe(seq);
    }
    expect(catalogue.byId("wire-500-not-the-real-slug")).toBeUndefined();
    expect(catalogue.byId("wire-20000-" + catalogue.bySeq(500)!.id.split("-").slice(2).join("-"))).toBeUndefined();
    expect(catalogue.byId("nope")).toBeUndefined();
  });

  it("dates synthetic stories after the hand-written ones, in seq order", () => {
    const last = catalogue.bySeq(catalogue.handWrittenCount)!;
    const first = catalogue.bySeq(catalogue.handWrittenCount + 1)!;
    expect(Date.parse(first.publishedAt)).toBeGreaterThan(Date.parse(last.publishedAt));
  });

  it("splits the pool into sections that add up to the whole", () => {
    const total = SECTIONS.reduce((sum, section) => sum + catalogue.pool(section).members!.count(), 0);
    expect(total).toBe(10_000);
  });

  it("scales to 100,000 and can be truncated below the hand-written count", () => {
    expect(loadCatalogue({ size: 100_000 }).bySeq(100_000)?.seq).toBe(100_000);
    expect(loadCatalogue({ size: 30 }).byId((handWritten as { id: string }[])[40]!.id)).toBeUndefined();
  });

  it("validates CATALOGUE_SIZE with a clear message", () => {
    expect(parseCatalogueSize(undefined, 126)).toBe(126);
    expect(parseCatalogueSize("10000", 126)).toBe(10_000);
    for (const bad of ["0", "-5", "1.5", "abc", "100001"]) expect(() => parseCatalogueSize(bad, 126)).toThrow(/CATALOGUE_SIZE/);
  });
});
