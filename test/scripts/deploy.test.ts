import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { STRIPE_SECRETS, stripeSecrets } from "../../scripts/lib/stripe-secrets.mjs";

const ROOT = new URL("../..", import.meta.url).pathname;

const GOOD = { STRIPE_SECRET_KEY: "sk_test_51abc", STRIPE_PUBLISHABLE_KEY: "pk_test_51abc", STRIPE_WEBHOOK_SECRET: "whsec_abc" };

/** Runs `npm run deploy`'s script with `env` in place of the Stripe variables and no Cloudflare credentials. */
function deploy(env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("STRIPE_")));
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/deploy.mjs"], {
      cwd: ROOT,
      env: { ...clean, ...env, CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("npm run deploy", () => {
  it.each([
    ["all three unset", {}, ["STRIPE_SECRET_KEY is empty", "STRIPE_PUBLISHABLE_KEY is empty", "STRIPE_WEBHOOK_SECRET is empty"]],
    ["the secret key empty", { ...GOOD, STRIPE_SECRET_KEY: "" }, ["STRIPE_SECRET_KEY is empty"]],
    ["the webhook secret only spaces", { ...GOOD, STRIPE_WEBHOOK_SECRET: "   " }, ["STRIPE_WEBHOOK_SECRET is empty"]],
    ["a publishable key where the secret key goes", { ...GOOD, STRIPE_SECRET_KEY: "pk_live_51abc" }, ["STRIPE_SECRET_KEY does not look like sk_live_… or sk_test_…"]],
  ])("refuses to deploy anything with %s, naming each problem and never a value", async (_name, env, problems) => {
    const { code, output } = await deploy(env);
    expect(code).toBe(1);
    expect(output).toContain("Not deploying: payments needs its Stripe secrets");
    for (const problem of problems) expect(output).toContain(problem);
    // Refused before the build: nothing else ran.
    expect(output.trim().split("\n")[0]).toBe("Not deploying: payments needs its Stripe secrets in the environment.");
    expect(output).not.toMatch(/astro|wrangler|build/i);
    expect(output).not.toContain("pk_live_51abc");
  });
});

describe("stripeSecrets", () => {
  it("accepts live and test keys, restricted keys, and trims them", () => {
    expect(stripeSecrets({ ...GOOD, STRIPE_SECRET_KEY: " rk_live_x " })).toEqual({
      secrets: { ...GOOD, STRIPE_SECRET_KEY: "rk_live_x" },
      problems: [],
    });
    expect(Object.keys(STRIPE_SECRETS)).toEqual(Object.keys(GOOD));
  });

  it("refuses a value with the right prefix and nothing after it", () => {
    expect(stripeSecrets({ ...GOOD, STRIPE_WEBHOOK_SECRET: "whsec_" }).problems).toEqual(["STRIPE_WEBHOOK_SECRET does not look like whsec_…"]);
  });
});
