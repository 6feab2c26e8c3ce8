/**
 * What a reader can do, independent of HTTP: load the next feed page, open an article, inspect
 * or forget their session, switch modes. Route handlers parse input, call one of these, and
 * shape the JSON; nothing here knows about requests or responses.
 */
import { toSummary, type ArticleSummary, type Section } from "./news/article";
import { getCatalogue } from "./news/catalogue";
import { instanceIdentity } from "./instance";
import { currentMode, forgetReader, openStore, switchMode, type StoreMode } from "./session/modes";
import type { CookieJar } from "./session/store";

export class ArticleNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No article with id "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`);
    this.name = "ArticleNotFoundError";
  }
}

export interface FeedPage {
  articles: ArticleSummary[];
  mode: StoreMode;
  instance: { id: string; pid: number };
  seenCount: number;
  remaining: number;
}

/** The newest unseen articles, recorded as seen by the same store operation that picked them. */
export async function nextFeedPage(jar: CookieJar, request: { limit: number; section?: Section }): Promise<FeedPage> {
  const catalogue = getCatalogue();
  const mode = currentMode(jar);
  const claim = await openStore(mode, jar).claimUnseen(catalogue.pool(request.section), request.limit);
  const { id, pid } = instanceIdentity();
  return {
    articles: claim.seqs.map((seq) => toSummary(catalogue.bySeq(seq)!)),
    mode,
    instance: { id, pid },
    seenCount: claim.seenCount,
    remaining: claim.remaining,
  };
}

export async function markArticleRead(jar: CookieJar, articleId: string) {
  const article = getCatalogue().byId(articleId);
  if (!article) throw new ArticleNotFoundError(articleId);
  const mode = currentMode(jar);
  const counts = await openStore(mode, jar).markRead(article.seq);
  return { id: article.id, seq: article.seq, mode, ...counts };
}

export interface HistoryRequest {
  /** Continue below this seq (the previous page's nextCursor); omitted: from the newest. */
  cursor?: number;
  limit: number;
}

/**
 * "Shown to you": the articles this reader's current store records as seen, newest first (by
 * publication: a seen-set is a set and keeps no time of showing), each marked when it was opened.
 * Read-only, like describeSession. In memory mode it is what the answering instance holds.
 */
export async function readHistory(jar: CookieJar, request: HistoryRequest) {
  const catalogue = getCatalogue();
  const mode = currentMode(jar);
  const { seen, read } = await openStore(mode, jar).snapshot();
  const articles: (ArticleSummary & { read: boolean })[] = [];
  let nextCursor: string | null = null;
  for (const seq of seen.descending(request.cursor)) {
    const article = catalogue.bySeq(seq);
    if (!article) continue; // a seq past a catalogue that has since shrunk
    if (articles.length === request.limit) {
      nextCursor = String(articles[articles.length - 1]!.seq);
      break;
    }
    articles.push({ ...toSummary(article), read: read.has(seq) });
  }
  const { id, pid } = instanceIdentity();
  return { mode, instance: { id, pid }, seenCount: seen.count(), readCount: read.count(), articles, nextCursor };
}

export async function describeSession(jar: CookieJar) {
  const mode = currentMode(jar);
  const { seen, seenCount, readCount, details } = await openStore(mode, jar).describe();
  return {
    mode,
    instance: instanceIdentity(),
    seenCount,
    readCount,
    catalogueSize: getCatalogue().size,
    seenRanges: seen.ranges(),
    store: { mode, ...details },
  };
}

/** PUT /api/session/mode: the switch, and which instance carried it out (memory mode migrates only its share). */
export async function changeMode(jar: CookieJar, to: StoreMode) {
  const { id, pid } = instanceIdentity();
  return { mode: to, ...(await switchMode(jar, to)), instance: { id, pid } };
}

export { forgetReader };

/** GET /api/session/history's answer. */
export type HistoryPage = Awaited<ReturnType<typeof readHistory>>;
