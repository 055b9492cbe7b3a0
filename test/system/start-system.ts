import type { TestProject } from "vitest/node";
import { startDevSystem } from "../support/dev-system";

/**
 * Starts the whole system as `npm run dev` does, with 5-second holds so expiry is tested
 * in real time, and stops it after the run.
 */
export default async function startSystem(project: TestProject) {
  const system = await startDevSystem({ holdSeconds: 5 });
  project.provide("baseUrl", system.baseUrl);
  return system.stop;
}
