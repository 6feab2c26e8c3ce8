/** memory mode: the bug on display, a map in each process (memory-store.ts). */
import type { ModeDefinition } from "../mode-definition";
import { MemoryStore } from "./memory-store";

export const memoryMode: ModeDefinition = {
  name: "memory",
  label: "Memory",
  description: "Each server process keeps its own Map: the bug. Articles reappear.",
  tone: "bug",
  unavailable: () => null,
  open: (jar, config) => new MemoryStore(jar, config.keys, config.cookie),
};
