/**
 * Which commands the bridge runs, refuses, or refuses to a read-only token.
 *
 * Refused for every token (400), because Upstash refuses them or because they would break the
 * ONE connection the bridge shares between all callers:
 *   - server administration: CONFIG, ACL, SAVE, SHUTDOWN, DEBUG, MODULE, replication, ... (the
 *     REFUSED table below; Upstash's REST compatibility table lists none of them as supported);
 *   - connection state: SELECT, AUTH, HELLO, CLIENT, QUIT, RESET (Upstash's REST API: "Only PING
 *     and ECHO are supported" of the connection group);
 *   - bare MULTI / EXEC / DISCARD / WATCH / UNWATCH (POST /multi-exec is the transaction API; the
 *     others "are not supported" per Upstash);
 *   - the SUBSCRIBE family (Upstash streams it as server-sent events; the bridge does not);
 *   - blocking commands, found by Redis's own "blocking" flag (BLPOP, BZPOPMIN, BLMOVE, ...),
 *     plus WAIT and WAITAOF; XREAD and XREADGROUP only in their BLOCK form, as Upstash documents
 *     ("Supported, except blocking versions of XREAD and XREADGROUP").
 *
 * A read-only token (Upstash: "permits access to the read commands only") is refused, with the
 * NOPERM reply Upstash gives it, every command that Redis's COMMAND INFO marks as able to change
 * anything: the "write" or "admin" flag; keys specs that may write (RW/OW/RM) on a command not
 * flagged "readonly", which makes EVAL, EVALSHA and FCALL writes and their _RO forms reads; or
 * the @write, @admin, @dangerous, @scripting or @pubsub categories on a command not flagged
 * "readonly" (SCRIPT FLUSH, PUBLISH). @dangerous reads (KEYS) are refused too, as in the
 * `+@read -@dangerous` rule Upstash's documentation gives for a read-only user. Our choices
 * where Upstash is silent: SCAN stays allowed (Upstash says it restricts "some powerful read
 * commands (e.g. SCAN, KEYS)"; SCAN is not @dangerous in Redis), and PING, ECHO, TIME stay allowed.
 *
 * COMMAND INFO answers are cached per command name (and per "name|subcommand" for containers).
 */
import { badRequest, type BridgeError } from "./errors";
import type { Command } from "./request";

/** What the bridge needs to know about a command, read from `COMMAND INFO`. */
export interface CommandTraits {
  flags: ReadonlySet<string>;
  categories: ReadonlySet<string>;
  /** A key spec says RW, OW or RM (or, before Redis 7, the command takes keys at all). */
  mayWriteKeys: boolean;
  /** A container such as SCRIPT or XGROUP, whose subcommands have traits of their own. */
  hasSubcommands: boolean;
}

const ADMIN = "it administers the Redis server, which Upstash does not allow over REST either";
const CONNECTION = "it would change the one Redis connection the bridge shares between all callers";
const TRANSACTION = "send transactions to POST /multi-exec instead";
const PUBSUB = "subscriptions are not available through this bridge; PUBLISH is";
const BLOCKING = "it would block the one Redis connection the bridge shares between all callers";

const REFUSED: ReadonlyMap<string, string> = new Map([
  ...["CONFIG", "ACL", "SAVE", "BGSAVE", "BGREWRITEAOF", "MIGRATE", "SYNC", "PSYNC", "REPLCONF", "REPLICAOF", "SLAVEOF"].map((name) => [name, ADMIN] as const),
  ...["DEBUG", "MODULE", "SHUTDOWN", "MONITOR", "FAILOVER", "CLUSTER", "READONLY", "READWRITE", "ASKING", "SWAPDB", "RESTORE-ASKING"].map(
    (name) => [name, ADMIN] as const,
  ),
  ...["LATENCY", "SLOWLOG", "PFDEBUG", "PFSELFTEST"].map((name) => [name, ADMIN] as const),
  ...["SELECT", "AUTH", "HELLO", "CLIENT", "QUIT", "RESET"].map((name) => [name, CONNECTION] as const),
  ...["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"].map((name) => [name, TRANSACTION] as const),
  ...["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"].map((name) => [name, PUBSUB] as const),
  ...["WAIT", "WAITAOF"].map((name) => [name, BLOCKING] as const),
  // SCRIPT DEBUG turns the connection into a Lua debugging session.
  ["SCRIPT|DEBUG", CONNECTION],
]);

const SIDE_EFFECT_CATEGORIES = ["@write", "@admin", "@dangerous", "@scripting", "@pubsub"];

/** More names than Redis has commands and subcommands: past this, unknown names are not cached. */
const MAX_CACHED = 4096;

function refusal(name: string, reason: string): BridgeError {
  return badRequest(`ERR command '${name.toLowerCase()}' is not supported by this KV bridge: ${reason}`);
}

/** Upstash's answer to a read-only token (Redis 6.2's ACL wording, as Upstash returns it). */
function readOnlyRefusal(name: string): BridgeError {
  return badRequest(`NOPERM this user has no permissions to run the '${name.toLowerCase()}' command or its subcommand`);
}

/** XREAD / XREADGROUP options come before STREAMS; only BLOCK makes them wait. */
function hasBlockOption(command: Command): boolean {
  for (let i = 1; i < command.length;) {
    const word = String(command[i]).toUpperCase();
    if (word === "STREAMS") return false;
    if (word === "BLOCK") return true;
    i += word === "GROUP" ? 3 : word === "COUNT" ? 2 : 1;
  }
  return false;
}

/** Whether a read-only token may run it: nothing it does can change data. */
export function isReadOnlySafe(traits: CommandTraits): boolean {
  if (traits.categories.has("@dangerous")) return false;
  if (traits.flags.has("readonly")) return true;
  if (traits.flags.has("write") || traits.flags.has("admin") || traits.mayWriteKeys) return false;
  return !SIDE_EFFECT_CATEGORIES.some((category) => traits.categories.has(category));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => String(item).toLowerCase()) : [];
}

/** One `COMMAND INFO` entry (RESP2 arrays) -> traits; null for a command Redis does not know. */
export function parseCommandInfo(entry: unknown): CommandTraits | null {
  if (!Array.isArray(entry)) return null;
  const flags = new Set(stringList(entry[2]));
  const categories = new Set(stringList(entry[6]));
  const keySpecs: unknown = entry[8];
  let mayWriteKeys: boolean;
  if (Array.isArray(keySpecs)) {
    mayWriteKeys = keySpecs.some((spec) => {
      if (!Array.isArray(spec)) return false;
      const at = spec.findIndex((item) => String(item) === "flags");
      return at >= 0 && stringList(spec[at + 1]).some((flag) => flag === "rw" || flag === "ow" || flag === "rm");
    });
  } else {
    // Redis < 7 has no key specs: any command that takes keys may write them.
    mayWriteKeys = Number(entry[3]) !== 0 || flags.has("movablekeys");
  }
  return { flags, categories, mayWriteKeys, hasSubcommands: Array.isArray(entry[9]) && entry[9].length > 0 };
}

export class CommandPolicy {
  readonly #traits = new Map<string, CommandTraits | null>();
  readonly #pending = new Map<string, Promise<CommandTraits | null>>();

  /** @param commandInfo sends `COMMAND INFO <name>` to Redis and resolves with its reply. */
  constructor(private readonly commandInfo: (name: string) => Promise<unknown>) {}

  /**
   * Throws the refusal for a command this caller may not run; otherwise returns, synchronously
   * when the command's traits are cached, else once COMMAND INFO has answered.
   */
  admit(command: Command, readOnly: boolean): void | Promise<void> {
    const name = command[0].toUpperCase();
    const reason = REFUSED.get(name);
    if (reason !== undefined) throw refusal(name, reason);
    const traits = this.#lookup(name);
    if (traits instanceof Promise) return traits.then((known) => this.#judge(command, name, known, readOnly));
    return this.#judge(command, name, traits, readOnly);
  }

  #judge(command: Command, name: string, traits: CommandTraits | null, readOnly: boolean): void | Promise<void> {
    if (traits === null) return; // unknown to Redis: it answers with its own "unknown command" error
    if (traits.flags.has("blocking") && !((name === "XREAD" || name === "XREADGROUP") && !hasBlockOption(command))) {
      throw refusal(name, BLOCKING);
    }
    if (!traits.hasSubcommands || command.length < 2) {
      if (readOnly && !isReadOnlySafe(traits)) throw readOnlyRefusal(name);
      return;
    }
    const full = `${name}|${String(command[1]).toUpperCase()}`;
    const reason = REFUSED.get(full);
    if (reason !== undefined) throw refusal(full, reason);
    if (!readOnly) return;
    const check = (sub: CommandTraits | null) => {
      if (!isReadOnlySafe(sub ?? traits)) throw readOnlyRefusal(name);
    };
    const sub = this.#lookup(full);
    return sub instanceof Promise ? sub.then(check) : check(sub);
  }

  #lookup(key: string): CommandTraits | null | Promise<CommandTraits | null> {
    const known = this.#traits.get(key);
    if (known !== undefined) return known;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.commandInfo(key).then(
        (reply) => {
          this.#pending.delete(key);
          const traits = parseCommandInfo(Array.isArray(reply) ? reply[0] : null);
          if (this.#traits.size < MAX_CACHED) this.#traits.set(key, traits);
          return traits;
        },
        (error: unknown) => {
          this.#pending.delete(key); // Redis was not there: ask again next time
          throw error;
        },
      );
      this.#pending.set(key, pending);
    }
    return pending;
  }
}
