/**
 * HAProxy's Runtime API (the "stats socket", admin level): one command per connection, the whole
 * answer read until HAProxy closes it. Typed helpers for what the control plane does: point a slot
 * at an instance, make it ready / drain it / put it in maintenance, switch the policy, and read
 * back per-slot state. No reload is ever needed for any of it.
 */
import { connect, isIP } from "node:net";
import { POLICIES, type Policy } from "../cluster/cluster";
import { BACKENDS, POLICY_BACKEND, POLICY_MAP_KEY } from "./config";
import { parseInfo, parsePolicyMap, parseServersState, parseShowStat, slotStates, type SlotState, type SlotStatus } from "./stats";

export class RuntimeApiError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RuntimeApiOptions {
  /** The unix socket config.ts declared (`stats socket … level admin`). */
  socketPath: string;
  /** The policy map file config.ts's frontend reads. */
  policyMapPath: string;
  /** Slot ids the configuration declares (config.ts `slotIds(maxInstances)`). */
  slots: readonly string[];
  /** Per-command deadline. Default 5000 ms. */
  timeoutMs?: number;
}

/** Slot administrative states: ready (in rotation), drain (finishes what it has, takes no new readers), maint (out). */
export type SlotAdminState = "ready" | "drain" | "maint";

/** Every backend holding a server per slot; `addr` must be set on each (a tracking server has its own address). */
const SLOT_BACKENDS = [BACKENDS.roundRobin, BACKENDS.sticky, BACKENDS.assets] as const;

/**
 * Sends one command, or several run back to back in one go (HAProxy runs a `;`-chained line in a
 * single pass: no request is scheduled between them), and resolves with HAProxy's whole answer.
 */
export function runtimeCommand(socketPath: string, commands: string | readonly string[], timeoutMs = 5000): Promise<string> {
  const list = typeof commands === "string" ? [commands] : commands;
  const command = list.join("; ");
  if (list.length === 0 || list.some((one) => /[\r\n;]/.test(one) || one.trim() === "")) {
    // ";" chains commands and a newline ends one: either would run something the caller did not write.
    return Promise.reject(new RuntimeApiError(command, "each Runtime API command must be one non-empty line without ';'"));
  }
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RuntimeApiError(command, `HAProxy did not answer "${command}" within ${timeoutMs} ms on ${socketPath}`));
    }, timeoutMs);
    socket.once("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new RuntimeApiError(command, `cannot reach HAProxy's Runtime API at ${socketPath}: ${error.message}. Is HAProxy running?`));
    });
  });
}

export class RuntimeApi {
  readonly slots: readonly string[];

  constructor(private readonly options: RuntimeApiOptions) {
    this.slots = options.slots;
  }

  /** One raw command (or several, run in one pass); the answer as HAProxy wrote it. */
  command(command: string | readonly string[]): Promise<string> {
    return runtimeCommand(this.options.socketPath, command, this.options.timeoutMs);
  }

  /** Commands that answer nothing when they succeed (set server … state, set map): any text is HAProxy's error. */
  private async silent(...commands: string[]): Promise<void> {
    const answer = (await this.command(commands)).trim();
    if (answer !== "") throw new RuntimeApiError(commands.join("; "), `HAProxy refused "${commands.join("; ")}": ${answer}`);
  }

  private slot(id: string): string {
    if (!this.slots.includes(id)) {
      throw new RuntimeApiError(`(slot ${id})`, `no slot "${id}": the configuration declares ${this.slots.join(", ")} (raise maxInstances for more)`);
    }
    return id;
  }

  /** Points a slot at an instance, in every backend. Its admin state is unchanged (still maint for a new slot). */
  async setSlotAddress(id: string, port: number, host = "127.0.0.1"): Promise<void> {
    this.slot(id);
    if (!isIP(host)) throw new RuntimeApiError(`(slot ${id})`, `HAProxy needs an IP address for a server, got "${host}"`);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RuntimeApiError(`(slot ${id})`, `port must be 1..65535, got ${port}`);
    for (const backend of SLOT_BACKENDS) {
      const command = `set server ${backend}/${id} addr ${host} port ${port}`;
      const answer = (await this.command(command)).trim();
      // Success reads "IP changed from … port changed from …" or "no need to change the addr…".
      if (!/changed|no need to change/.test(answer)) throw new RuntimeApiError(command, `HAProxy refused "${command}": ${answer}`);
    }
  }

  /**
   * ready: in rotation once its next health check passes (within `inter`, 1 s), never before.
   * HAProxy on its own counts a server leaving maintenance as up until a check fails, which would
   * send readers to an instance still catching up; so "ready" is sent together with "health down"
   * in one pass, and the first passing check (rise 1) brings the slot in. (Readying a slot that is
   * already up therefore takes it out until its next check.)
   * drain: no new requests except sticky readers already pinned to it and pinned requests.
   * maint: no traffic, no checks.
   * The other backends' servers track this one, so one command moves the slot everywhere.
   */
  async setSlotState(id: string, state: SlotAdminState): Promise<void> {
    const server = `${BACKENDS.roundRobin}/${this.slot(id)}`;
    if (state === "ready") return this.silent(`set server ${server} state ready`, `set server ${server} health down`);
    return this.silent(`set server ${server} state ${state}`);
  }

  /** Switches the policy for the next request: no reload, open connections included. */
  async setPolicy(policy: Policy): Promise<void> {
    if (!POLICIES.includes(policy)) throw new RuntimeApiError("(policy)", `policy must be one of ${POLICIES.join(", ")}, got ${String(policy)}`);
    return this.silent(`set map ${this.options.policyMapPath} ${POLICY_MAP_KEY} ${POLICY_BACKEND[policy]}`);
  }

  async policy(): Promise<Policy> {
    return parsePolicyMap(await this.command(`show map ${this.options.policyMapPath}`));
  }

  /** Per-slot state, from `show stat` (status, checks, sessions) and `show servers state` (address, admin state). */
  async slotStates(): Promise<SlotState[]> {
    const [stat, servers] = await Promise.all([this.command("show stat -1 4 -1"), this.command(`show servers state ${BACKENDS.roundRobin}`)]);
    return slotStates(this.slots, parseShowStat(stat), parseServersState(servers));
  }

  async slotState(id: string): Promise<SlotState> {
    this.slot(id);
    return (await this.slotStates()).find((slot) => slot.id === id)!;
  }

  /** Polls until the slot reports `status` (e.g. UP after "ready"), or throws after `timeoutMs` with what it saw. */
  async waitForSlotStatus(id: string, status: SlotStatus, timeoutMs = 5000): Promise<SlotState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.slotState(id);
      if (state.status === status) return state;
      if (Date.now() > deadline) {
        const check = `${state.checkStatus || "none"} ${state.checkDescription}`.trim();
        throw new RuntimeApiError(`(slot ${id})`, `slot ${id} is still ${state.statusText} (last check: ${check}) after ${timeoutMs} ms, not ${status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** `show info`: Pid (the worker's), Uptime_sec, CurrConns, CumReq, … */
  async info(): Promise<Record<string, string>> {
    return parseInfo(await this.command("show info"));
  }
}
