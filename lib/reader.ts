/**
 * What a reader can do, independent of HTTP: load the next feed page, open an article, inspect
 * or forget their session, switch modes. Route handlers parse input, call one of these, and
 * shape the JSON; nothing here knows about requests or responses.
 */
import type { FeedPage, HistoryEntry, HistoryPage, MarkReadResult, ModeSwitchResult, SessionView } from "./api-contract";
import { toSummary, type Section } from "./news/article";
import { getCatalogue } from "./news/catalogue";
import { instanceIdentity } from "./instance";
import { currentMode, openStore } from "./session/registry";
import type { CookieJar } from "./session/store";
import { forgetReader, switchMode } from "./session/switch";

export class ArticleNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`No article with id "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`);
    this.name = "ArticleNotFoundError";
  }
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

export async function markArticleRead(jar: CookieJar, articleId: string): Promise<MarkReadResult> {
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
export async function readHistory(jar: CookieJar, request: HistoryRequest): Promise<HistoryPage> {
  const catalogue = getCatalogue();
  const mode = currentMode(jar);
  const { seen, read } = await openStore(mode, jar).snapshot();
  const articles: HistoryEntry[] = [];
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

export async function describeSession(jar: CookieJar): Promise<SessionView> {
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
export async function changeMode(jar: CookieJar, to: string): Promise<ModeSwitchResult> {
  const { id, pid } = instanceIdentity();
  return { mode: to, ...(await switchMode(jar, to)), instance: { id, pid } };
}

export { forgetReader };
