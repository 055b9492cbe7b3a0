/**
 * The Stripe secrets payments is deployed with, and what each must look like. Payments runs
 * against Stripe only when its secret key is set; deployed without one it would have no
 * Stripe at all, so a deploy is refused unless all three are given, well-formed.
 */
export const STRIPE_SECRETS = {
  STRIPE_SECRET_KEY: { pattern: /^(sk|rk)_(live|test)_\S+$/, looksLike: "sk_live_… or sk_test_…" },
  STRIPE_PUBLISHABLE_KEY: { pattern: /^pk_(live|test)_\S+$/, looksLike: "pk_live_… or pk_test_…" },
  STRIPE_WEBHOOK_SECRET: { pattern: /^whsec_\S+$/, looksLike: "whsec_…" },
};

/**
 * Reads the Stripe secrets from `env`: `secrets` when all are present and well-formed,
 * else one line per problem (naming the variable, never showing its value).
 * @param {Record<string, string | undefined>} env
 * @returns {{ secrets: Record<string, string> | null, problems: string[] }}
 */
export function stripeSecrets(env) {
  const secrets = {};
  const problems = [];
  for (const [name, { pattern, looksLike }] of Object.entries(STRIPE_SECRETS)) {
    const value = env[name]?.trim() ?? "";
    if (!value) problems.push(`${name} is empty`);
    else if (!pattern.test(value)) problems.push(`${name} does not look like ${looksLike}`);
    else secrets[name] = value;
  }
  return { secrets: problems.length === 0 ? secrets : null, problems };
}
