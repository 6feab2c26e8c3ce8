/**
 * A yes/no preference kept in localStorage (the timeline open, the tour hidden), read with
 * useSyncExternalStore: null while rendering on the server, where no preference is known.
 */
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

function read(key: string): boolean {
  try {
    return window.localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

const memory = new Map<string, boolean>();

export function setStoredFlag(key: string, value: boolean): void {
  memory.set(key, value);
  try {
    window.localStorage.setItem(key, value ? "1" : "0");
  } catch {
    // Private mode without storage: the choice lasts for this page view (see `memory`).
  }
  listeners.forEach((listener) => listener());
}

export function useStoredFlag(key: string): boolean | null {
  return useSyncExternalStore(
    subscribe,
    () => memory.get(key) ?? read(key),
    () => null,
  );
}
