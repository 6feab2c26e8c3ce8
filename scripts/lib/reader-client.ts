/**
 * A virtual reader for tests, benchmarks and scripts: its own cookie jar (like one browser
 * profile) and helpers for each JSON API call. Secure cookies are kept and sent over plain
 * HTTP on purpose: everything here talks to 127.0.0.1. The answers' shapes are the API's own
 * (lib/api-contract.ts).
 */
import type { ArticleSummary, FeedPage, MarkReadResult, ModeSwitchResult, SessionView } from "../../lib/api-contract";

/** What tests call an article of a feed page. */
export type FeedArticle = ArticleSummary;

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  instance: string | null;
  body: T;
}

export class ReaderClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: { json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) headers.Cookie = this.cookieHeader();
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, redirect: "manual" });
    this.absorb(response.headers.getSetCookie());
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("json")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Leave the raw text for the caller to report.
      }
    }
    return { status: response.status, headers: response.headers, instance: response.headers.get("x-instance-id"), body: parsed as T };
  }

  /** Applies Set-Cookie headers the way a browser would (deletions included). */
  absorb(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key, val] = a.trim().split("=");
        if (key?.toLowerCase() === "max-age") return Number(val) <= 0;
        if (key?.toLowerCase() === "expires") return Date.parse(val ?? "") <= Date.now();
        return false;
      });
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  feed(limit = 10, section?: string) {
    return this.request<FeedPage>("POST", "/api/feed", { json: section ? { limit, section } : { limit } });
  }

  session() {
    return this.request<SessionView>("GET", "/api/session");
  }

  setMode(mode: string) {
    return this.request<ModeSwitchResult>("PUT", "/api/session/mode", { json: { mode } });
  }

  read(id: string) {
    return this.request<MarkReadResult>("POST", `/api/articles/${encodeURIComponent(id)}/read`);
  }

  forget() {
    return this.request("DELETE", "/api/session");
  }
}
