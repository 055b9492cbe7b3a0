import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { seed } from "../../scripts/seed/seed.mjs";
import { startDevSystem } from "../support/dev-system";
import { chromiumPath } from "./chromium";
import { formatTally, sumTallies, type Tally } from "./tally";

declare module "vitest" {
  export interface ProvidedContext {
    /** How long the system under test holds a record. */
    holdSeconds: number;
    /** Where screenshots go (git-ignored). */
    artifactsDir: string;
    /** Where each test file leaves its counts for the summary printed at the end. */
    tallyDir: string;
  }
}

/**
 * Long enough to see the countdown run, audit the order page and pay in time on a busy
 * two-core machine; short enough that a hold expiring is waited out twice in the run.
 */
const HOLD_SECONDS = 20;
const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * Starts the whole system as `npm run dev` does, stocks it with the demo catalog (so the
 * pages look like the shop's), and at the end prints what the journeys checked.
 */
export default async function setup(project: TestProject) {
  // Unpacks the packaged Chromium once, before the test files race to use it.
  await chromiumPath();
  const artifactsDir = join(ROOT, "test-results/browser");
  rmSync(artifactsDir, { recursive: true, force: true });
  mkdirSync(artifactsDir, { recursive: true });
  const tallyDir = mkdtempSync(join(tmpdir(), "oscillation-browser-"));

  const system = await startDevSystem({ holdSeconds: HOLD_SECONDS });
  try {
    await seed(system.baseUrl);
  } catch (error) {
    await system.stop();
    throw error;
  }
  project.provide("baseUrl", system.baseUrl);
  project.provide("holdSeconds", HOLD_SECONDS);
  project.provide("artifactsDir", artifactsDir);
  project.provide("tallyDir", tallyDir);

  return async () => {
    const tallies = readdirSync(tallyDir).map((f) => JSON.parse(readFileSync(join(tallyDir, f), "utf8")) as Tally);
    if (tallies.length > 0) console.log(`\n${formatTally(sumTallies(tallies))}\n  screenshots in ${artifactsDir}\n`);
    rmSync(tallyDir, { recursive: true, force: true });
    await system.stop();
  };
}
