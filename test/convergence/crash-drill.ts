import type { ExpectStatic } from "vitest";
import { startDevSystem, type DevSystem } from "../support/dev-system";
import { logCount, shop, tally, type Plan } from "./shop";

// Long enough that a payment made before the crash is still within its hold once the
// system is back and the lost payment_created has been asked for again, short enough that
// the holds left alone end during the test.
const HOLD_SECONDS = 120;
const CRON_EVERY_SECONDS = 5;
const PLANS: Plan[] = [...Array(6).fill("pay"), ...Array(6).fill("cancel"), ...Array(6).fill("expire")];

/**
 * The crash drill: orders paid, cancelled and left to expire, the whole system killed with
 * SIGKILL while their events are on their way, restarted on the same state; every order,
 * record, payment and email must come out right. `running` is told of each system started,
 * for the caller to stop.
 */
export async function crashDrill(expect: ExpectStatic, running: (system: DevSystem) => void) {
  const options = { holdSeconds: HOLD_SECONDS, cronEverySeconds: CRON_EVERY_SECONDS };
  let system = await startDevSystem(options);
  running(system);
  const { port, state } = system;
  const cases = await shop(system.baseUrl).prepare(PLANS, 30_000);

  // Pays and cancels answered; their events are on their way when everything dies at once.
  await shop(system.baseUrl).act(cases);
  await system.kill();
  const before = system.output();

  system = await startDevSystem({ ...options, port, state });
  running(system);
  const { states, ms } = await shop(system.baseUrl).settle(cases, 300_000);
  const after = system.output();

  const counts = tally(states);
  console.log(
    `crash drill: ${cases.length} orders (6 paid, 6 cancelled, 6 left to expire), killed with SIGKILL and restarted; ` +
      `settled ${(ms / 1000).toFixed(0)} s after the restart: ${JSON.stringify(counts)}; ` +
      `after the restart ${logCount(after, "asked for missing messages")} resend requests, ` +
      `${logCount(after, "messages sent again on request", "sent")} messages sent again, ` +
      `${logCount(after, "overdue holds expired by the backstop", "orders")} holds ended by the backstop ` +
      `(before the kill: ${logCount(before, "asked for missing messages")} requests)`,
  );
  expect(counts.complete + counts.cancelledByBuyer + counts.expired).toBe(cases.length);
  expect(counts.cancelledByBuyer).toBe(6);
  expect(counts.expired).toBe(6);
  // Every payment made before the crash reaches its order within the hold: sold, not refunded.
  expect(counts.paid).toBe(6);
  expect(counts.complete).toBe(6);
  expect(counts.refunded).toBe(0);
  expect(counts.sold).toBe(6);

  // Each order's emails arrived, once each, whatever the crash cut short.
  const mail = await shop(system.baseUrl).mail(cases, 180_000);
  console.log(`crash drill emails: ${mail.flat().length} for ${cases.length} orders`);
  // "Held for you" goes out unless the order had already ended when its creation reached
  // notifications (events repaired after the crash may arrive late); every other is certain.
  const required: Record<Plan, string[]> = { pay: ["receipt"], cancel: [], expire: ["hold_expired"] };
  for (const [i, messages] of mail.entries()) {
    const kinds = messages.map((m) => m.kind);
    expect(new Set(kinds).size, `no email twice for order ${cases[i]!.order.id}: ${kinds}`).toBe(kinds.length);
    expect(kinds.filter((k) => k !== "order_held").sort()).toEqual(required[cases[i]!.plan]);
  }
}
