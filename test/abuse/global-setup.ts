import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { localSettings } from "../../scripts/lib/workers.mjs";
import startSystem from "../system/start-system";
import { formatTally, mergeTallies, type Tally } from "./tally";

declare module "vitest" {
  export interface ProvidedContext {
    /** The secret the running system signs sessions with, to forge expired and re-signed tokens. */
    jwtSecret: string;
    /** Where each test file leaves its request counts for the summary printed at the end. */
    tallyDir: string;
  }
}

/**
 * Starts the whole system as the system tests do, and at the end prints how many abusive
 * requests were sent and how they were answered, over every file of the run.
 */
export default async function setup(project: TestProject) {
  // The same settings scripts/dev.mjs reads, from the same environment it inherits.
  const secret = (localSettings() as Record<string, string | undefined>).JWT_SECRET;
  if (!secret) throw new Error("JWT_SECRET is not set for the system under test");
  project.provide("jwtSecret", secret);
  const tallyDir = mkdtempSync(join(tmpdir(), "oscillation-abuse-"));
  project.provide("tallyDir", tallyDir);
  const stop = await startSystem(project);

  return async () => {
    const tallies = readdirSync(tallyDir).map((f) => JSON.parse(readFileSync(join(tallyDir, f), "utf8")) as Tally);
    if (tallies.length > 0) console.log(`\n${formatTally("abuse suite total", mergeTallies(tallies))}\n`);
    rmSync(tallyDir, { recursive: true, force: true });
    await stop();
  };
}
