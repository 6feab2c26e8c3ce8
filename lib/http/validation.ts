/** Input schemas of the JSON API (zod) and a bounded, strict JSON body reader. */
import { z } from "zod";
import { SECTIONS } from "../news/article";
import { ARTICLE_ID_MAX_LENGTH, ARTICLE_ID_PATTERN } from "../news/article";
import { registeredModes } from "../session/registry";
import { HttpError } from "./errors";

export const MAX_BODY_BYTES = 64 * 1024;

/** Sections match case-insensitively ("sports" finds Sports); anything else is a 400. */
const sectionSchema = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const section = SECTIONS.find((s) => s.toLowerCase() === value.trim().toLowerCase());
    if (!section) {
      ctx.addIssue({ code: "custom", message: `unknown section; use one of ${SECTIONS.join(", ")}` });
      return z.NEVER;
    }
    return section;
  });

export const feedRequestSchema = z
  .object({
    limit: z.number().int("limit must be a whole number").min(1).max(50).default(10),
    section: sectionSchema.optional(),
  })
  .strict();

/** PUT /api/session/mode's body: a registered mode (built per call: the bench registers its own at start-up). */
export function modeRequestSchema() {
  const names = registeredModes().map((mode) => mode.name);
  return z.object({ mode: z.enum(names as [string, ...string[]], `mode must be one of ${names.join(", ")}`) }).strict();
}

/** Query of GET /api/session/history: digits only, so a cursor is a seq and nothing else. */
export const historyQuerySchema = z
  .object({
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,6}$/, "cursor must be the nextCursor of a previous page")
      .transform(Number)
      .optional(),
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, "limit must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(1).max(100))
      .default(20),
  })
  .strict();

/** Article ids are slugs; reject anything else before it reaches a lookup or a log line. */
export const articleIdSchema = z
  .string()
  .min(1)
  .max(ARTICLE_ID_MAX_LENGTH, "article id is too long")
  .regex(ARTICLE_ID_PATTERN, "article id must be a lowercase slug");

/**
 * Reads a JSON body of at most 64 KB. An empty body counts as {} so `POST /api/feed` with no
 * body is a valid "next page, defaults please".
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const contentType = request.headers.get("content-type");
  if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
  }
  const text = await readLimited(request);
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "The request body is not valid JSON.");
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, "PAYLOAD_TOO_LARGE", `The request body exceeds ${MAX_BODY_BYTES / 1024} KB.`);
}

async function readLimited(request: Request): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
