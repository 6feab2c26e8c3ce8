/**
 * Which instance serves a request: the one routing policy of the demo's balancer, in one place.
 *  - pinned: a request naming an instance in PIN_HEADER goes there if it is up (no affinity set);
 *  - sticky: a browser holding the AFFINITY_COOKIE of an up instance goes there; a newcomer (or one
 *    whose instance died) is placed by round-robin and pinned with the cookie;
 *  - round-robin: the next instance in turn, with two turns kept apart (see RotationLane).
 */
import type { InstanceRecord, Policy } from "../../../lib/cluster-contract";

export const AFFINITY_COOKIE = "nr_lb";

/**
 * A request carrying this header goes to that instance if it is up, whatever the policy (and sets
 * no affinity). It only chooses which of our instances serves the caller's own request, as the
 * sticky cookie does: the UI uses it to ask one chosen instance, e.g. what memory mode holds there
 * before the reader leaves it, and to send the switch to that same instance.
 */
export const PIN_HEADER = "x-newsroom-instance";

/**
 * Round-robin keeps two turns: one for requests that carry session work (pages, RSC, the API)
 * and one for static assets. Assets are content-hashed and the same on every instance; counted
 * in the main rotation, the number a page happens to load (cache state, chunks) would decide
 * which instance answers its next API call, and a reader's calls could keep landing on the same
 * one or two instances.
 */
export type RotationLane = "requests" | "assets";

/** An instance as routing sees it. */
export type RoutedInstance = Pick<InstanceRecord, "id" | "port" | "status">;

/** What routing reads of a request. */
export interface RoutedRequest {
  url: string | undefined;
  cookie: string | undefined;
  pin: string | undefined;
}

export interface Route {
  instance: RoutedInstance;
  /** Sticky placed a newcomer here: the balancer sets AFFINITY_COOKIE to this id on the answer. */
  pinWithCookie: boolean;
}

/** Content-hashed build output and the icon: identical on every instance, outside the main rotation. */
export function isStaticAsset(url: string | undefined): boolean {
  const path = (url ?? "/").split("?")[0]!;
  return path.startsWith("/_next/static/") || path === "/icon.svg" || path === "/favicon.ico";
}

function affinityFrom(cookie: string | undefined): string | null {
  const match = new RegExp(`(?:^|;\\s*)${AFFINITY_COOKIE}=([A-Za-z0-9]+)`).exec(cookie ?? "");
  return match ? match[1]! : null;
}

export class Router {
  private readonly turns: Record<RotationLane, number> = { requests: 0, assets: 0 };

  /** Round-robin over `up`, skipping any in `exclude`. */
  nextRoundRobin(up: readonly RoutedInstance[], exclude: ReadonlySet<string>, lane: RotationLane = "requests"): RoutedInstance | null {
    const candidates = up.filter((m) => m.status === "up" && !exclude.has(m.id));
    if (candidates.length === 0) return null;
    const turn = this.turns[lane];
    this.turns[lane] = (turn + 1) % 1_000_000;
    return candidates[turn % candidates.length]!;
  }

  /** The instance for this request under `policy`, or null when none is up (outside `exclude`). */
  choose(request: RoutedRequest, up: readonly RoutedInstance[], policy: Policy, exclude: ReadonlySet<string> = new Set()): Route | null {
    const available = up.filter((m) => m.status === "up" && !exclude.has(m.id));
    const pinned = request.pin ? available.find((m) => m.id === request.pin) : undefined;
    if (pinned) return { instance: pinned, pinWithCookie: false };
    if (policy === "sticky") {
      const affinity = affinityFrom(request.cookie);
      const held = available.find((m) => m.id === affinity);
      if (held) return { instance: held, pinWithCookie: false };
      const placed = this.nextRoundRobin(up, exclude);
      return placed ? { instance: placed, pinWithCookie: true } : null;
    }
    const instance = this.nextRoundRobin(up, exclude, isStaticAsset(request.url) ? "assets" : "requests");
    return instance ? { instance, pinWithCookie: false } : null;
  }
}
