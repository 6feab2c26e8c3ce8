/**
 * The cluster's side of replicated mode: a channel port per instance, the peers each instance is
 * told about at start (every other member: a newcomer joins them, they learn of it then), and the
 * settings (sync / async, lag) pushed at run time to every running instance over its channel,
 * signed with the key every instance derives from the shared SESSION_SECRET (channel-auth.ts).
 */
import { keyring, parseSessionSecret } from "../../../lib/session/keyring";
import { channelKeys, signMessage, type ChannelKeys } from "../../../lib/session/replicated/channel-auth";
import type { ReplicationSettingsView } from "../../../lib/cluster-contract";
import { formatPeers } from "../../../lib/session/replicated/replication-config";

export interface ChannelMember {
  id: string;
  replicationPort: number;
  running: boolean;
}

export interface PushResult {
  id: string;
  applied: boolean;
  error?: string;
}

const PUSH_TIMEOUT_MS = 2000;

export class ReplicationControl {
  private settings: ReplicationSettingsView;
  private version = 0;
  private readonly keys: ChannelKeys;

  constructor(sessionSecret: string, initial: ReplicationSettingsView) {
    this.settings = { ...initial };
    this.keys = channelKeys(keyring(parseSessionSecret(sessionSecret)));
  }

  get current(): ReplicationSettingsView {
    return { ...this.settings };
  }

  /** The environment that puts `id` into the group: its channel port, its peers, the settings in force. */
  envFor(id: string, replicationPort: number, members: readonly ChannelMember[]): Record<string, string> {
    return {
      REPLICATION_PORT: String(replicationPort),
      REPLICATION_PEERS: formatPeers(members.filter((m) => m.id !== id).map((m) => ({ id: m.id, host: "127.0.0.1", port: m.replicationPort }))),
      REPLICATION_MODE: this.settings.mode,
      REPLICATION_LAG_MS: String(this.settings.lagMs),
    };
  }

  /** New settings, pushed to every running member; a member that misses it gets them when it (re)starts or joins. */
  async change(next: Partial<ReplicationSettingsView>, members: readonly ChannelMember[]): Promise<PushResult[]> {
    this.settings = { ...this.settings, ...next };
    // Wall-clock based, so a restarted control plane still outranks what it sent before.
    this.version = Math.max(this.version + 1, Date.now());
    const body = Buffer.from(JSON.stringify({ ...this.settings, version: this.version }));
    return Promise.all(
      members
        .filter((m) => m.running)
        .map(async (member): Promise<PushResult> => {
          try {
            const response = await fetch(`http://127.0.0.1:${member.replicationPort}/settings`, {
              method: "PUT",
              headers: { "content-type": "application/json", ...signMessage(this.keys, "PUT", "/settings", "control", body) },
              body,
              signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
            });
            const answer = (await response.json()) as { applied?: boolean; error?: string };
            return response.ok
              ? { id: member.id, applied: answer.applied === true }
              : { id: member.id, applied: false, error: answer.error ?? `HTTP ${response.status}` };
          } catch (error) {
            return { id: member.id, applied: false, error: (error as Error).message };
          }
        }),
    );
  }
}
