/** The article as the catalogue holds it, and the slimmer shape the feed API returns. */
import { z } from "zod";

export const SECTIONS = ["World", "Business", "Technology", "Science", "Sports", "Culture"] as const;
export type Section = (typeof SECTIONS)[number];

/** Article ids are kebab-case slugs of at most ARTICLE_ID_MAX_LENGTH characters (the catalogue's and the API's one rule). */
export const ARTICLE_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const ARTICLE_ID_MAX_LENGTH = 120;

export const articleSchema = z
  .object({
    id: z.string().regex(ARTICLE_ID_PATTERN, "id must be a kebab-case slug").max(ARTICLE_ID_MAX_LENGTH),
    seq: z.number().int().positive(),
    title: z.string().min(1),
    summary: z.string().min(1),
    body: z.array(z.string().min(1)).min(2, "body needs at least two paragraphs"),
    section: z.enum(SECTIONS),
    author: z.string().min(1),
    publishedAt: z.iso.datetime(),
    readingMinutes: z.number().int().positive(),
  })
  .strict();

export type Article = z.infer<typeof articleSchema> & { synthetic?: boolean };

/** What the feed returns: everything but the body. */
export type ArticleSummary = Pick<Article, "id" | "seq" | "title" | "summary" | "section" | "author" | "publishedAt">;

export function toSummary(article: Article): ArticleSummary {
  const { id, seq, title, summary, section, author, publishedAt } = article;
  return { id, seq, title, summary, section, author, publishedAt };
}

export function readingMinutesFor(paragraphs: readonly string[]): number {
  const words = paragraphs.join(" ").split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.round(words / 200));
}
