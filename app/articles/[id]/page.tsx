import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDate } from "@/components/format";
import { MarkRead } from "@/components/mark-read";
import { SectionPill } from "@/components/section-pill";
import { getCatalogue } from "@/lib/news/catalogue";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }> };

async function findArticle(params: Props["params"]) {
  const { id } = await params;
  return getCatalogue().byId(id);
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const article = await findArticle(params);
  return { title: article?.title ?? "Article not found" };
}

export default async function ArticlePage({ params }: Props) {
  const article = await findArticle(params);
  if (!article) notFound();
  return (
    <article className="mx-auto max-w-2xl" data-testid="article" data-article-id={article.id}>
      {/* scroll={false}: the feed puts the reader back where they were (components/feed-memory.ts). */}
      <Link href="/" scroll={false} className="text-sm text-sky-700 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-sky-400">
        ← Back to your feed
      </Link>
      <header className="mt-6 flex flex-col gap-3">
        <div className="flex items-center gap-3 text-sm text-zinc-500 dark:text-zinc-400">
          <SectionPill section={article.section} />
          <time dateTime={article.publishedAt}>{formatDate(article.publishedAt)}</time>
          <span aria-hidden>·</span>
          <span>{article.readingMinutes} min read</span>
        </div>
        <h1 className="font-serif text-3xl font-bold leading-tight tracking-tight text-zinc-900 sm:text-4xl dark:text-zinc-50">{article.title}</h1>
        <p className="text-lg leading-relaxed text-zinc-600 dark:text-zinc-300">{article.summary}</p>
        <p className="text-sm text-zinc-500 dark:text-zinc-400">By {article.author}</p>
      </header>
      <div className="mt-8 flex flex-col gap-5 font-serif text-lg leading-relaxed text-zinc-800 dark:text-zinc-200">
        {article.body.map((paragraph, i) => (
          <p key={i}>{paragraph}</p>
        ))}
      </div>
      <MarkRead articleId={article.id} />
    </article>
  );
}
