import { afterAll, describe, it } from "vitest";
import type { DevSystem } from "../support/dev-system";
import { crashDrill } from "./crash-drill";
import { LOSS_RATE, lossyDrill } from "./lossy-drill";

// The latest system each drill started, stopped when both are done.
const systems = new Map<string, DevSystem>();
afterAll(() => Promise.all([...systems.values()].map((s) => s.stop())));

// Each drill runs its own system on its own state and spends most of its time waiting for
// holds to end and messages to be repaired, so the two run side by side.
describe.concurrent("the shop settles", () => {
  it("after the whole system is killed mid-flight and restarted on the same state", ({ expect }) =>
    crashDrill(expect, (system) => systems.set("crash", system)));

  it(`when ${LOSS_RATE * 100} % of relayed messages are dropped`, ({ expect }) =>
    lossyDrill(expect, (system) => systems.set("lossy", system)));
});
