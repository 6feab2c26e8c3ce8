import type { Metadata } from "next";
import { SessionInspector } from "@/components/inspector/session-inspector";
import { modeForPage } from "@/lib/page-mode";

export const metadata: Metadata = { title: "Session inspector" };
export const dynamic = "force-dynamic";

export default async function InspectorPage() {
  // Keyed by mode: switching strategy in the header remounts the inspector, which asks again.
  return <SessionInspector key={await modeForPage()} />;
}
