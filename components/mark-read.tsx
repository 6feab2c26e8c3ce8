"use client";

import { useEffect, useRef, useState } from "react";
import { callApi } from "./api-client";

/**
 * Records "opened" once the article is on screen. Done from the browser, not while rendering on
 * the server, so a link prefetch never marks an article the reader has not actually opened.
 */
export function MarkRead({ articleId }: { articleId: string }) {
  const sent = useRef(false);
  const [state, setState] = useState<"pending" | "done" | { error: string }>("pending");

  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    void callApi(`/api/articles/${encodeURIComponent(articleId)}/read`, { method: "POST" }).then((result) =>
      setState(result.ok ? "done" : { error: result.error.message }),
    );
  }, [articleId]);

  return (
    <p
      data-testid="read-status"
      data-state={typeof state === "string" ? state : "error"}
      className="mt-10 border-t border-zinc-200 pt-4 text-sm text-zinc-500 dark:border-zinc-800 dark:text-zinc-400"
    >
      {state === "pending" && "Marking as read…"}
      {state === "done" && "Marked as read: this story will not appear in your feed again."}
      {typeof state === "object" && (
        <span role="alert" className="text-red-700 dark:text-red-400">
          Could not mark as read: {state.error}
        </span>
      )}
    </p>
  );
}
