/**
 * The only thing the HTTP side of the KV bridge knows about Redis: one node-redis client on one
 * connection (single-node-redis.ts), or a Redis Cluster (cluster-redis.ts), which routes each
 * command by its keys and runs a transaction on the master owning its keys' slot.
 *
 * Every method rejects with a BridgeError only: 400 for a Redis error reply, 503 when Redis is
 * down, unreachable or did not answer within the command timeout, 500 for a bug.
 */
import type { Command } from "./request";
import type { Reply } from "./reply-json";

export interface RedisSide {
  /** Runs one command and resolves with Redis's reply (bulk strings as Buffers). */
  send(command: Command): Promise<Reply>;
  /**
   * MULTI, the commands, EXEC. Resolves with one reply per command, an Error object in place of
   * a command that failed at run time (the others still ran, as in Redis); rejects with 400
   * EXECABORT when a command failed to queue (then none ran).
   */
  transaction(commands: Command[]): Promise<Reply[]>;
  /** `COMMAND INFO <name>` (name may be "container|subcommand"), replies as plain strings. */
  commandInfo(name: string): Promise<unknown>;
  /** Resolves true once Redis has answered (at once if it has), false if it has not within timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  /** Rejects what is in flight with 503 and closes the connection(s). */
  close(): Promise<void>;
}
