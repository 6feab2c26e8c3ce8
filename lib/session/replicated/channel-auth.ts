/**
 * Authentication of replicated mode's channel: every message between instances (and from the
 * cluster's control plane) carries an HMAC-SHA256 over its method, path, sender, time and body,
 * under a key derived from SESSION_SECRET with HKDF. The derived key is not the secret: a peer
 * that learns it cannot seal cookies or sign session ids. Any secret of the keyring verifies
 * (a rolling rotation keeps the channel up); the sealing id's key signs.
 *
 * A message more than MAX_CLOCK_SKEW_MS old is refused, so a captured message cannot be replayed
 * later; within that window a replay changes nothing, because merging a replica is idempotent and
 * settings carry a version that only moves forward.
 * No server-only guard and no Next.js: scripts/lib/cluster uses it to sign settings.
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Keyring } from "../keyring";

export const AUTH_HEADERS = { from: "x-replication-from", time: "x-replication-time", signature: "x-replication-signature" } as const;

/** How far a message's time may be from ours (ms): the instances share one clock here, 30 s is generous. */
export const MAX_CLOCK_SKEW_MS = 30_000;

export interface ChannelKeys {
  signing: Buffer;
  verifying: Buffer[];
}

function derive(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "newsroom", "newsroom replication channel v1", 32));
}

export function channelKeys(keys: Keyring): ChannelKeys {
  const signing = derive(keys.secrets[keys.sealId]!);
  const verifying = [
    signing,
    ...Object.entries(keys.secrets)
      .filter(([id]) => id !== keys.sealId)
      .map(([, secret]) => derive(secret)),
  ];
  return { signing, verifying };
}

function mac(key: Buffer, method: string, path: string, from: string, time: string, body: Uint8Array): Buffer {
  const bodyHash = createHash("sha256").update(body).digest("hex");
  return createHmac("sha256", key).update(`${method}\n${path}\n${from}\n${time}\n${bodyHash}`).digest();
}

/** The three headers that authenticate one message. */
export function signMessage(keys: ChannelKeys, method: string, path: string, from: string, body: Uint8Array, now = Date.now()): Record<string, string> {
  const time = String(now);
  return {
    [AUTH_HEADERS.from]: from,
    [AUTH_HEADERS.time]: time,
    [AUTH_HEADERS.signature]: mac(keys.signing, method, path, from, time, body).toString("base64url"),
  };
}

export type Verdict = { ok: true; from: string } | { ok: false; reason: string };

export function verifyMessage(
  keys: ChannelKeys,
  method: string,
  path: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
  now = Date.now(),
): Verdict {
  const from = headers[AUTH_HEADERS.from];
  const time = headers[AUTH_HEADERS.time];
  const signature = headers[AUTH_HEADERS.signature];
  if (typeof from !== "string" || typeof time !== "string" || typeof signature !== "string") return { ok: false, reason: "unsigned message" };
  if (!/^[a-z0-9-]{1,32}$/.test(from)) return { ok: false, reason: "bad sender" };
  const sentAt = Number(time);
  if (!Number.isSafeInteger(sentAt) || Math.abs(now - sentAt) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: "stale or future message" };
  const given = Buffer.from(signature, "base64url");
  for (const key of keys.verifying) {
    const expected = mac(key, method, path, from, time, body);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, from };
  }
  return { ok: false, reason: "bad signature" };
}
