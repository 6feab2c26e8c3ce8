/**
 * "secret_key must be the same on every server": each instance reports a one-way fingerprint of
 * its SESSION_SECRET; the one most instances report is taken as right, an instance that differs is
 * flagged on the cluster page, and the log says so loudly once per change.
 */
export interface Fingerprinted {
  id: string;
  secretFingerprint: string | null;
}

/** The fingerprint most instances report (ties: the first instance's). */
export function majorityFingerprint(members: readonly Fingerprinted[]): string | null {
  const counts = new Map<string, number>();
  for (const member of members) if (member.secretFingerprint) counts.set(member.secretFingerprint, (counts.get(member.secretFingerprint) ?? 0) + 1);
  let best: string | null = null;
  for (const [fingerprint, count] of counts) if (best === null || count > counts.get(best)!) best = fingerprint;
  return best;
}

export class SecretWatch {
  private lastWarning = "";

  constructor(private readonly log: (line: string) => void) {}

  /** Says loudly, once per change, which instances' secrets differ from the others'. */
  check(members: readonly Fingerprinted[]): void {
    const majority = majorityFingerprint(members);
    const odd = members.filter((m) => m.secretFingerprint !== null && majority !== null && m.secretFingerprint !== majority).map((m) => m.id);
    const key = odd.join(",");
    if (key === this.lastWarning) return;
    this.lastWarning = key;
    if (odd.length === 0) return;
    this.log(
      `[cluster] WARNING: instance${odd.length > 1 ? "s" : ""} ${odd.join(", ")} run with a different SESSION_SECRET than the others. ` +
        "Cookies sealed elsewhere look forged there, so readers it serves lose their cookie-mode history and their kv session. " +
        "Give every instance the same SESSION_SECRET.",
    );
  }
}
