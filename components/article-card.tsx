import Link from "next/link";
import type { ArticleSummary } from "@/lib/api-contract";
import { formatDate } from "./format";
import { SectionPill } from "./section-pill";

/** `repeat`: this tab had already been shown the article, i.e. the session lost it (memory mode). */
export function ArticleCard({ article, repeat = false }: { article: ArticleSummary; repeat?: boolean }) {
  return (
    <article
      data-testid="article-card"
      data-article-id={article.id}
      data-repeat={repeat ? "true" : undefined}
      className={`group relative flex flex-col gap-2 rounded-xl border bg-white p-5 shadow-sm transition hover:shadow-md focus-within:ring-2 focus-within:ring-sky-600 dark:bg-zinc-900 ${
        repeat
          ? "border-red-400 ring-2 ring-red-400/60 dark:border-red-500"
          : "border-zinc-200 hover:border-zinc-300 dark:border-zinc-800 dark:hover:border-zinc-700"
      }`}
    >
      <div className="flex items-center justify-between gap-2 text-xs text-zinc-500 dark:text-zinc-400">
        <span className="flex items-center gap-2">
          <SectionPill section={article.section} />
          {repeat && (
            <span
              className="rounded-full bg-red-600 px-2 py-0.5 text-[11px] font-semibold uppercase tracking-wide text-white"
              title="You were already shown this story in this tab"
            >
              Repeat
            </span>
          )}
        </span>
        <time dateTime={article.publishedAt}>{formatDate(article.publishedAt)}</time>
      </div>
      <h2 className="font-serif text-xl font-semibold leading-snug text-zinc-900 dark:text-zinc-50">
        {/* No prefetch: ten background requests per page, as cards scroll into view, would shift the
            round-robin under the feed calls (the control spec could then see one instance only),
            and a reader opens few of the stories they are shown. */}
        <Link href={`/articles/${article.id}`} prefetch={false} className="outline-none after:absolute after:inset-0 after:content-['']">
          {article.title}
        </Link>
      </h2>
      <p className="text-sm leading-relaxed text-zinc-600 dark:text-zinc-300">{article.summary}</p>
      <p className="mt-auto pt-1 text-xs text-zinc-500 dark:text-zinc-400">By {article.author}</p>
    </article>
  );
}

export function ArticleCardSkeleton() {
  return (
    <div aria-hidden className="flex animate-pulse flex-col gap-3 rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <div className="h-4 w-20 rounded-full bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-5 w-11/12 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-5 w-2/3 rounded bg-zinc-200 dark:bg-zinc-800" />
      <div className="h-3 w-full rounded bg-zinc-100 dark:bg-zinc-800/70" />
      <div className="h-3 w-5/6 rounded bg-zinc-100 dark:bg-zinc-800/70" />
    </div>
  );
}
