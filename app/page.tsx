import { Feed } from "@/components/feed";
import { SECTIONS } from "@/lib/news/article";

export const dynamic = "force-dynamic";

export default function HomePage() {
  return <Feed sections={SECTIONS} />;
}
