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

export { forgetReader, switchMode };
