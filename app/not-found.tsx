import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto flex max-w-md flex-col items-center gap-4 py-16 text-center" data-testid="not-found">
      <p className="font-serif text-6xl font-bold text-zinc-300 dark:text-zinc-700">404</p>
      <h1 className="font-serif text-2xl font-semibold">We couldn&apos;t find that story</h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">It may never have existed, or the link is mistyped.</p>
      <Link href="/" className="rounded-lg bg-zinc-900 px-4 py-2 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900">
        Back to your feed
      </Link>
    </div>
  );
}
