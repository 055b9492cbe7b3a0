/** The service Workers the storefront reaches by service binding, in the order they are reported. */
export const SERVICES = [
  { name: "auth", binding: "AUTH", title: "Accounts" },
  { name: "catalog", binding: "CATALOG", title: "Records" },
  { name: "orders", binding: "ORDERS", title: "Orders" },
  { name: "expiration", binding: "EXPIRATION", title: "Expiration" },
  { name: "payments", binding: "PAYMENTS", title: "Payments" },
  { name: "notifications", binding: "NOTIFICATIONS", title: "Notifications" },
] as const satisfies readonly { name: string; binding: keyof Env; title: string }[];

export type Service = (typeof SERVICES)[number];
export type ServiceBinding = Service["binding"];

/**
 * Public paths and the Worker that answers each. A `prefix` also matches everything under
 * it; a `pattern` matches exactly its shape (Hono's path syntax, `:name` is one segment), for
 * paths whose neighbours belong to other Workers.
 */
export const FORWARD_PATTERNS: readonly { pattern: string; binding: ServiceBinding }[] = [
  // A seller's public profile; what lies under it (feedback) is other Workers'.
  { pattern: "/api/sellers/:username", binding: "AUTH" },
];

/**
 * Public path prefixes and the Worker that answers each; a prefix also matches everything
 * under it. The first that matches answers, so a longer prefix goes before a shorter one.
 */
export const FORWARDS: readonly { prefix: string; binding: ServiceBinding }[] = [
  { prefix: "/api/users", binding: "AUTH" },
  { prefix: "/api/vinyls", binding: "CATALOG" },
  { prefix: "/images", binding: "CATALOG" },
  { prefix: "/api/orders", binding: "ORDERS" },
  // A seller's feedback is kept by orders; the rest of `/api/sellers/:username` is auth's.
  { prefix: "/api/sellers/:username/feedback", binding: "ORDERS" },
  { prefix: "/api/payments", binding: "PAYMENTS" },
  { prefix: "/api/wants", binding: "NOTIFICATIONS" },
  // The local mailbox (development and tests): deployed, the notifications Worker answers 404 there.
  { prefix: "/_dev/mailbox", binding: "NOTIFICATIONS" },
];

/**
 * `GET path` on a service through its binding, on behalf of the incoming request `from`:
 * addressed at the public origin (so the service sees the same host) and carrying its request id.
 */
export function callService(env: Env, binding: ServiceBinding, path: string, from: Request) {
  const headers = new Headers({ Accept: "application/json" });
  const requestId = from.headers.get("x-request-id");
  if (requestId) headers.set("X-Request-Id", requestId);
  return env[binding].fetch(new URL(path, from.url), { headers });
}

/** Rejects when `promise` takes longer than `ms`, so one hung Worker cannot hang the edge. */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
