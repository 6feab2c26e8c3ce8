import type { Metadata } from "next";
import { ShownToYou } from "@/components/history/shown-to-you";
import { modeForPage } from "@/lib/page-mode";

export const metadata: Metadata = { title: "Shown to you" };
export const dynamic = "force-dynamic";

export default async function HistoryPage() {
  // Keyed by mode: a switch in the header lists the history as the new store holds it.
  return <ShownToYou key={await modeForPage()} />;
}
