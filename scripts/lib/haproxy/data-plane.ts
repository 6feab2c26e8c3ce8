/**
 * HAProxy as the cluster's data plane (../cluster/data-plane.ts), driven through its Runtime API:
 * no reload ever, so health state and counters survive every change the control plane makes.
 *   admit    -> the slot's address set in every backend, then "ready" (with "health down": it
 *               enters the rotation only when its first /api/ready check passes), then waited for UP
 *   withdraw -> maintenance: no new request, sticky readers redispatched, requests under way finish
 *   policy   -> the policy map entry the frontend reads
 */
import type { InstanceBalancerView, Policy } from "../../../lib/cluster-contract";
import type { DataPlane } from "../cluster/data-plane";
import type { RunningHaproxy } from "./process";
import type { SlotState } from "./stats";

/**
 * How long an admitted instance may take to pass its first check. Checks run every second; a
 * machine busy starting several instances at once can delay one by a few more.
 */
const ADMIT_TIMEOUT_MS = 20_000;

export function balancerView(slot: SlotState): InstanceBalancerView {
  return {
    state: slot.statusText,
    // "L7OK 200", "L7STS 503", "L4CON Layer4 connection problem"; "" before the first check.
    lastCheck: `${slot.checkStatus} ${slot.checkCode ?? slot.checkDescription}`.trim(),
    inRotation: slot.status === "UP" || slot.status === "DRAIN",
    active: slot.currentSessions,
    served: slot.totalSessions,
  };
}

export async function haproxyDataPlane(haproxy: RunningHaproxy): Promise<DataPlane> {
  const { runtime } = haproxy;
  const info = await runtime.info();
  return {
    name: `HAProxy ${String(info.Version ?? "").split("-")[0]}`.trim(),
    async admit(id, port) {
      await runtime.setSlotAddress(id, port);
      await runtime.setSlotState(id, "ready");
      await runtime.waitForSlotStatus(id, "UP", ADMIT_TIMEOUT_MS);
    },
    withdraw: (id) => runtime.setSlotState(id, "maint"),
    setPolicy: (policy: Policy) => runtime.setPolicy(policy),
    policy: () => runtime.policy(),
    async servers() {
      return new Map((await runtime.slotStates()).filter((slot) => slot.assigned).map((slot) => [slot.id, balancerView(slot)]));
    },
  };
}
