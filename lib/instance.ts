/** Who am I: the identity every response carries in X-Instance-Id, set per process by the cluster scripts. */

export interface InstanceIdentity {
  id: string;
  pid: number;
  port: number | null;
}

export function instanceIdentity(): InstanceIdentity {
  const port = Number(process.env.PORT);
  return {
    id: process.env.INSTANCE_ID || "solo",
    pid: process.pid,
    port: Number.isInteger(port) && port > 0 ? port : null,
  };
}

export const INSTANCE_HEADER = "X-Instance-Id";
