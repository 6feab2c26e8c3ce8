/**
 * Parsers for what HAProxy's Runtime API reports (pure, unit-tested on captured output), and the
 * per-slot view the control plane shows: `GET /__cluster` reads the balancer's own state, so the
 * cluster page shows what the balancer does rather than what the control plane believes.
 */
import { BACKENDS, PLACEHOLDER_ADDRESS, POLICY_BACKEND, POLICY_MAP_KEY } from "./config";
import type { Policy } from "../cluster/cluster";

/** One server row of `show stat` (CSV), by column name: pxname, svname, status, scur, stot, addr, check_status, … */
export type StatRow = Readonly<Record<string, string>>;

/** `show stat` → its rows (header names from the `# pxname,…` line). */
export function parseShowStat(text: string): StatRow[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const header = lines.find((line) => line.startsWith("# "));
  if (!header) throw new Error(`not "show stat" output (no "# pxname,…" header): ${text.slice(0, 200)}`);
  const names = header.slice(2).split(",");
  return lines
    .filter((line) => !line.startsWith("#"))
    .map((line) => {
      const values = line.split(",");
      return Object.fromEntries(names.map((name, i) => [name, values[i] ?? ""]).filter(([name]) => name !== ""));
    });
}

/** One row of `show servers state` (format version 1), the fields the control plane uses. */
export interface ServerStateRow {
  backend: string;
  server: string;
  address: string;
  port: number;
  /** srv_op_state: 0 stopped (down), 1 starting, 2 running (up), 3 stopping. */
  operationalState: number;
  /** srv_admin_state bit mask (FMAINT 0x01, IMAINT 0x02, CMAINT 0x04, FDRAIN 0x08, IDRAIN 0x10, RMAINT 0x20, HMAINT 0x40). */
  adminState: number;
  checkStatus: number;
  checkHealth: number;
}

const FMAINT = 0x01;
const IMAINT = 0x02;
const FDRAIN = 0x08;
const IDRAIN = 0x10;
const RMAINT = 0x20;

/** `show servers state` → its rows. */
export function parseServersState(text: string): ServerStateRow[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines[0]?.trim() !== "1") throw new Error(`unsupported "show servers state" format (want version 1): ${text.slice(0, 200)}`);
  const header = lines[1];
  if (!header?.startsWith("# ")) throw new Error(`"show servers state" output without its header line: ${text.slice(0, 200)}`);
  const names = header.slice(2).split(" ");
  return lines.slice(2).map((line) => {
    const values = line.split(" ");
    const field = (name: string) => values[names.indexOf(name)] ?? "";
    return {
      backend: field("be_name"),
      server: field("srv_name"),
      address: field("srv_addr"),
      port: Number(field("srv_port")),
      operationalState: Number(field("srv_op_state")),
      adminState: Number(field("srv_admin_state")),
      checkStatus: Number(field("srv_check_status")),
      checkHealth: Number(field("srv_check_health")),
    };
  });
}

/** HAProxy's status words for a server (`show stat`'s status column, first word). */
export type SlotStatus = "UP" | "DOWN" | "MAINT" | "DRAIN" | "NOLB" | "NO CHECK";

export interface SlotState {
  /** The slot's id, which is the instance id (a, b, …). */
  id: string;
  /** The slot's server in the round-robin backend, which every other backend's server tracks. */
  status: SlotStatus;
  /** HAProxy's full status text: "UP 1/2" is up with one failed check (going down), "DOWN 1/1" is coming up. */
  statusText: string;
  /** Last health check: L7OK (passed), L7STS (wrong status), L4CON (refused), L4TOUT / L7TOUT (timed out), "" none yet. */
  checkStatus: string;
  /** The same in words, e.g. "Layer7 check passed". */
  checkDescription: string;
  /** The HTTP status the last layer-7 check got (200, 503), or null (no answer, or not checked yet). */
  checkCode: number | null;
  address: string;
  port: number;
  /** False while the slot still points at the placeholder (never given an instance). */
  assigned: boolean;
  /** Forced into maintenance (stop), as the admin state says. */
  maintenance: boolean;
  /** Forced into drain (no new requests except persistent ones), as the admin state says. */
  draining: boolean;
  /** Requests in progress on this instance, over every backend (scur). */
  currentSessions: number;
  /** Requests this instance has been given since HAProxy started, over every backend (stot): "requests served". */
  totalSessions: number;
}

const SLOT_BACKENDS: readonly string[] = [BACKENDS.roundRobin, BACKENDS.sticky, BACKENDS.assets];

function statusWord(text: string): SlotStatus {
  if (text === "no check") return "NO CHECK";
  const word = text.split(" ")[0]!;
  if (word === "UP" || word === "DOWN" || word === "MAINT" || word === "DRAIN" || word === "NOLB") return word;
  throw new Error(`unknown HAProxy server status "${text}"`);
}

/** Merges both reports into one state per slot (in `slots` order). */
export function slotStates(slots: readonly string[], stats: readonly StatRow[], servers: readonly ServerStateRow[]): SlotState[] {
  return slots.map((id) => {
    const main = stats.find((row) => row.pxname === BACKENDS.roundRobin && row.svname === id);
    const state = servers.find((row) => row.backend === BACKENDS.roundRobin && row.server === id);
    if (!main || !state) throw new Error(`HAProxy reports no server ${BACKENDS.roundRobin}/${id}: is this the configuration config.ts generated?`);
    const rows = stats.filter((row) => SLOT_BACKENDS.includes(row.pxname!) && row.svname === id);
    const sum = (column: string) => rows.reduce((total, row) => total + (Number(row[column]) || 0), 0);
    return {
      id,
      status: statusWord(main.status ?? ""),
      statusText: main.status ?? "",
      checkStatus: (main.check_status ?? "").replace(/^\* /, ""),
      checkDescription: main.check_desc ?? "",
      checkCode: Number(main.check_code) > 0 ? Number(main.check_code) : null,
      address: state.address,
      port: state.port,
      assigned: `${state.address}:${state.port}` !== PLACEHOLDER_ADDRESS,
      maintenance: (state.adminState & (FMAINT | IMAINT | RMAINT)) !== 0,
      draining: (state.adminState & (FDRAIN | IDRAIN)) !== 0,
      currentSessions: sum("scur"),
      totalSessions: sum("stot"),
    };
  });
}

/** `show map <policy map>` → the policy it routes to. */
export function parsePolicyMap(text: string): Policy {
  const line = text.split("\n").find((entry) => entry.split(" ")[1] === POLICY_MAP_KEY);
  const backend = line?.split(" ")[2];
  const policy = (Object.keys(POLICY_BACKEND) as Policy[]).find((name) => POLICY_BACKEND[name] === backend);
  if (!policy) throw new Error(`the policy map holds no known policy: ${text.slice(0, 200)}`);
  return policy;
}

/** `show info` → its "Name: value" pairs (Pid is the worker's pid). */
export function parseInfo(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .map((line) => /^([^:]+):\s?(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1]!, match[2]!] as const);
  return Object.fromEntries(entries);
}
