/**
 * The session mode as this tab last learned it. The server renders the header with the mode its
 * cookie says; after that, every API answer that names a mode updates it, and a switch made in one
 * tab is announced to the others on a BroadcastChannel (the cookie changed for all of them), so no
 * tab keeps showing a mode the reader has left.
 */
import { useSyncExternalStore } from "react";

const CHANNEL = "newsroom.session";

let known: string | null = null;
const listeners = new Set<() => void>();
let channel: BroadcastChannel | null = null;

function publish(mode: string): void {
  if (mode === known) return;
  known = mode;
  listeners.forEach((listener) => listener());
}

function openChannel(): void {
  if (channel || typeof window === "undefined" || typeof BroadcastChannel === "undefined") return;
  channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<{ type?: string; mode?: unknown }>) => {
    if (event.data?.type === "mode" && typeof event.data.mode === "string") publish(event.data.mode);
  };
}

/** An answer from the server named the mode this reader is in. */
export function observeMode(mode: string): void {
  publish(mode);
}

/** This tab switched modes: tell the other tabs too. */
export function announceModeSwitch(mode: string): void {
  publish(mode);
  openChannel();
  channel?.postMessage({ type: "mode", mode });
}

function subscribe(listener: () => void): () => void {
  openChannel();
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The mode as last learned, or `rendered` (what the server rendered) until anything newer is known. */
export function useSessionMode(rendered: string): string {
  return useSyncExternalStore(
    subscribe,
    () => known ?? rendered,
    () => rendered,
  );
}
