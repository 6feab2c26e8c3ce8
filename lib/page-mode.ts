/** The reader's session mode, as a server component sees it: read-only, from the request's cookies. */
import "server-only";
import { cookies } from "next/headers";
import { currentMode } from "./session/registry";

export async function modeForPage(): Promise<string> {
  const store = await cookies();
  return currentMode({ get: (name) => store.get(name)?.value, set: () => {}, delete: () => {} });
}
