import { parseArgs } from "node:util";
import { DEFAULT_SCENARIOS, SCENARIOS } from "./scenarios.mjs";

export const MODES = ["miniflare", "dev"];

const HELP = `npm run bench -- [options]

  --sizes 1000,10000,100000   listings seeded, one fresh system per size
  --duration 10               seconds of load per scenario
  --connections 10            concurrent connections of the load generator
  --modes miniflare,dev       miniflare: the built bundles in one Miniflare (gating);
                              dev: npm run dev (wrangler dev), for developers
  --scenarios a,b             ${SCENARIOS.map((s) => s.id).join(", ")}
                              (the mode's ceiling always runs)
  --port 18800                first port to use (default: free ports)
  --out bench.json            also write the results as JSON
  --no-sizes                  skip bundle sizes and startup (wrangler check startup)
  --profile dir               CPU-profile the storefront, catalog and orders during each
                              gating scenario into dir (slows them: not for budgets)
  --rounds 1                  run every size this many times, alternating sizes, and
                              judge each figure on the median of its rounds
  --quick                     --sizes 1000 --duration 3 --modes miniflare --no-sizes`;

/** The run's options from the command line; throws with the help text on a bad one. */
export function readArgs(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      duration: { type: "string" },
      connections: { type: "string", default: "10" },
      modes: { type: "string" },
      scenarios: { type: "string" },
      port: { type: "string" },
      out: { type: "string" },
      "no-sizes": { type: "boolean", default: false },
      quick: { type: "boolean", default: false },
      rounds: { type: "string", default: "1" },
      profile: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { help: HELP };
  const list = (text) => text.split(",").map((s) => s.trim()).filter(Boolean);
  const positive = (name, text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number\n\n${HELP}`);
    return n;
  };
  const quick = values.quick;
  const sizes = list(values.sizes ?? (quick ? "1000" : "1000,10000,100000")).map((s) => positive("sizes", s.replace(/_/g, "")));
  const modes = list(values.modes ?? (quick ? "miniflare" : MODES.join(",")));
  for (const mode of modes) if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode}\n\n${HELP}`);
  const scenarios = values.scenarios ? list(values.scenarios) : DEFAULT_SCENARIOS;
  for (const id of scenarios) if (!SCENARIOS.some((s) => s.id === id)) throw new Error(`unknown scenario ${id}\n\n${HELP}`);
  return {
    sizes,
    modes,
    scenarios,
    duration: positive("duration", values.duration ?? (quick ? "3" : "10")),
    connections: positive("connections", values.connections),
    rounds: positive("rounds", values.rounds),
    port: values.port ? positive("port", values.port) : null,
    out: values.out ?? null,
    sizesReport: !(values["no-sizes"] || quick),
    profile: values.profile ?? null,
  };
}
