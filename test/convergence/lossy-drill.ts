import type { ExpectStatic } from "vitest";
import { startDevSystem, type DevSystem } from "../support/dev-system";
import { logCount, shop, tally, type Plan } from "./shop";

export const LOSS_RATE = 0.3;
const PLANS: Plan[] = [...Array(4).fill("pay"), ...Array(4).fill("cancel"), ...Array(4).fill("expire")];

/**
 * The lossy-delivery drill: the relays drop `LOSS_RATE` of the messages they send, on
 * purpose, while orders are paid, cancelled and left to expire; every order, record and
 * payment must still come out right. `running` is told of the system started, for the
 * caller to stop.
 */
export async function lossyDrill(expect: ExpectStatic, running: (system: DevSystem) => void) {
  // Holds long enough to order and open checkouts while those messages, too, are being lost.
  // A hold whose end was lost on its way to orders is the backstop's; a grace of 15 s, not
  // two minutes, lets that happen inside the drill's time rather than after it.
  const system = await startDevSystem({
    holdSeconds: 90,
    cronEverySeconds: 3,
    settings: { MESSAGE_LOSS_RATE: String(LOSS_RATE), HOLD_GRACE_SECONDS: "15" },
  });
  running(system);
  const driver = shop(system.baseUrl);
  const cases = await driver.prepare(PLANS, 120_000);
  await driver.act(cases);
  const { states, ms } = await driver.settle(cases, 300_000);

  const output = system.output();
  const counts = tally(states);
  const dropped = logCount(output, "messages dropped on purpose (MESSAGE_LOSS_RATE)", "dropped");
  const resent = logCount(output, "messages sent again on request", "sent");
  console.log(
    `lossy delivery: ${cases.length} orders at ${LOSS_RATE * 100} % message loss; settled ${(ms / 1000).toFixed(0)} s after the last action: ` +
      `${JSON.stringify(counts)}; ${dropped} messages dropped, ${logCount(output, "asked for missing messages")} resend requests, ` +
      `${resent} messages sent again, ${logCount(output, "overdue holds expired by the backstop", "orders")} holds ended by the backstop`,
  );
  expect(dropped).toBeGreaterThan(0);
  expect(resent).toBeGreaterThan(0);
  expect(counts.cancelledByBuyer).toBe(4);
  expect(counts.expired).toBe(4);
  expect(counts.complete + counts.refunded).toBe(4);
  expect(counts.sold).toBe(counts.complete);
}
