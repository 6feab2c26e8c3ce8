"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Feed", testId: "nav-feed" },
  { href: "/history", label: "Shown to you", testId: "nav-history" },
  { href: "/inspector", label: "Inspector", testId: "nav-inspector" },
  { href: "/cluster", label: "Cluster", testId: "nav-cluster" },
];

/** The three places of the demo; the current one is marked for screen readers and the eye. */
export function SiteNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="flex items-center gap-1 text-sm">
        {LINKS.map((link) => {
          const current = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={current ? "page" : undefined}
                data-testid={link.testId}
                // The feed restores its own scroll position when the reader comes back to it.
                scroll={link.href !== "/"}
                className={`rounded-md px-2.5 py-1 font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${
                  current
                    ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                    : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800 dark:hover:text-white"
                }`}
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
