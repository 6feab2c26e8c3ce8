import { Feed } from "@/components/feed";
import { GuidedTour } from "@/components/guided-tour";
import { SECTIONS } from "@/lib/news/article";

export const dynamic = "force-dynamic";

export default function HomePage() {
  return (
    <div className="flex flex-col gap-8">
      <GuidedTour />
      <Feed sections={SECTIONS} />
    </div>
  );
}
