import Stripe from "stripe";

/** Pinned, so a Stripe upgrade never changes the shapes payments reads without a code change. */
export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

/** Sandbox mode: the stripe-sandbox Worker takes any `sk_test_` key; this one names itself. */
const SANDBOX_API_KEY = "sk_test_sandbox";
/** A name for the sandbox's origin; requests reach it through the binding, never DNS. */
const SANDBOX_HOST = "stripe-sandbox.internal";
/** Stripe answers in well under this; a hung call must not hold a request or a queue batch. */
const TIMEOUT_MS = 20_000;

export type Mode = "stripe" | "sandbox";

/** Real Stripe when a secret key is set; otherwise the local sandbox (development and tests). */
export const modeOf = (env: Env): Mode => (env.STRIPE_SECRET_KEY ? "stripe" : "sandbox");

/**
 * The stripe SDK for this environment. In sandbox mode the same SDK talks to the sandbox
 * through its service binding, so every request, idempotency key and error takes the path
 * it takes against Stripe.
 */
export function stripeClient(env: Env): Stripe {
  if (modeOf(env) === "stripe") {
    return new Stripe(env.STRIPE_SECRET_KEY, {
      apiVersion: STRIPE_API_VERSION,
      httpClient: Stripe.createFetchHttpClient(),
      timeout: TIMEOUT_MS,
    });
  }
  const sandbox = env.STRIPE_SANDBOX as Fetcher | undefined;
  // Deployed without STRIPE_SECRET_KEY: a configuration fault, never a silent fallback.
  if (!sandbox) throw new Error("STRIPE_SECRET_KEY is empty and no STRIPE_SANDBOX is bound; set the Stripe secrets");
  return new Stripe(SANDBOX_API_KEY, {
    apiVersion: STRIPE_API_VERSION,
    httpClient: Stripe.createFetchHttpClient((input, init) => sandbox.fetch(input, init)),
    host: SANDBOX_HOST,
    protocol: "http",
    port: 80,
    timeout: TIMEOUT_MS,
  });
}

/**
 * The secret that signs the webhooks this environment receives. The sandbox's secret is
 * public (it is in the repository), so it is trusted only where the sandbox itself is bound,
 * which is never in a deployment: a deployment missing its Stripe secrets refuses every
 * webhook instead of believing anyone who read the repository.
 */
export function webhookSecret(env: Env): string {
  if (modeOf(env) === "sandbox") {
    if (!env.STRIPE_SANDBOX) throw new Error("STRIPE_SECRET_KEY is empty and no STRIPE_SANDBOX is bound; refusing webhooks");
    return env.SANDBOX_WEBHOOK_SECRET;
  }
  if (!env.STRIPE_WEBHOOK_SECRET) throw new Error("STRIPE_WEBHOOK_SECRET is not set");
  return env.STRIPE_WEBHOOK_SECRET;
}

/** Web Crypto, as workerd has no Node crypto for the SDK's default. */
export const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** Stripe could not be reached or failed on its side: worth retrying later, not the caller's fault. */
export const isStripeUnavailable = (error: unknown) =>
  error instanceof Stripe.errors.StripeConnectionError ||
  error instanceof Stripe.errors.StripeAPIError ||
  error instanceof Stripe.errors.StripeRateLimitError;

/** Stripe refused a request about an object's state (a 400): answered by re-reading the object. */
export const isInvalidRequest = (error: unknown): error is Stripe.errors.StripeInvalidRequestError =>
  error instanceof Stripe.errors.StripeInvalidRequestError;

export { Stripe };
