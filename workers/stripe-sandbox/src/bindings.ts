/**
 * What the sandbox needs from its environment, named here rather than taken from the
 * generated `Env`, because payments' tests run this same app in-process with their own env.
 * `Env` (workers/stripe-sandbox/worker-configuration.d.ts) must satisfy it: see index.ts.
 */
export type SandboxBindings = {
  SANDBOX_DB: D1Database;
  SANDBOX_WEBHOOK_SECRET: string;
  /** The webhook endpoint: payments, by service binding. */
  PAYMENTS: Fetcher;
  LOG_LEVEL?: string;
};
