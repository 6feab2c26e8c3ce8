import { randomBytes } from "node:crypto";

/** SESSION_SECRET from the environment, or one generated for this run and shared by its instances. */
export function clusterSecret(): { secret: string; generated: boolean } {
  const given = process.env.SESSION_SECRET;
  if (given) return { secret: given, generated: false };
  return { secret: randomBytes(32).toString("base64url"), generated: true };
}
