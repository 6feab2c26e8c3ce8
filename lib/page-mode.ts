/** The reader's session mode, as a server component sees it: read-only, from the request's cookies. */
import "server-only";
import { cookies } from "next/headers";
import { currentMode, type StoreMode } from "./session/modes";

export async function modeForPage(): Promise<StoreMode> {
  const store = await cookies();
  return currentMode({ get: (name) => store.get(name)?.value, set: () => {}, delete: () => {} });
}
