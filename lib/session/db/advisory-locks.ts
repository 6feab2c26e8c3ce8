/**
 * PostgreSQL advisory lock keys db mode takes, in one place so they cannot collide. The numbers
 * are arbitrary; they only have to differ from any other application's sharing the database.
 */
export const ADVISORY_LOCKS = {
  /** Held (per transaction) while the schema is migrated: one instance at a time. */
  migrate: "7263810001",
  /** Held (per session) while expired sessions are swept: one instance at a time. */
  sweep: "7263810002",
} as const;
