/** cookie mode: the whole seen-set in an iron-session sealed cookie (cookie-store.ts). */
import type { ModeDefinition } from "../mode-definition";
import { CookieStore } from "./cookie-store";

export const cookieMode: ModeDefinition = {
  name: "cookie",
  label: "Cookie",
  description: "Sealed cookie in your browser: any instance can read it.",
  unavailable: () => null,
  open: (jar, config) => new CookieStore(jar, config.keys, config.cookie),
};
