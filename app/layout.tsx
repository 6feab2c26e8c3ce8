import type { Metadata, Viewport } from "next";
import { RequestTimeline } from "@/components/request-timeline";
import { SiteHeader } from "@/components/site-header";
import { modeForPage } from "@/lib/page-mode";
import { modeOptions } from "@/lib/session/registry";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Newsroom", template: "%s · Newsroom" },
  description: "A news reader that never shows you the same story twice, whichever server answers.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const mode = await modeForPage();
  return (
    <html lang="en">
      <body className="min-h-screen">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-zinc-900"
        >
          Skip to content
        </a>
        <SiteHeader mode={mode} modes={modeOptions()} />
        <main id="main" className="mx-auto max-w-5xl px-4 py-8">
          {children}
        </main>
        <footer className="mx-auto max-w-5xl px-4 pb-6 text-xs text-zinc-500 dark:text-zinc-400">
          Newsroom demonstrates distributed sessions: every story here is fictional, written for this demo.
        </footer>
        <RequestTimeline />
      </body>
    </html>
  );
}
