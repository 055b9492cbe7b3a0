import { inArray } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { DomainEvent } from "../../../schema/events";
import { orders, vinyls } from "../../../schema/tables/orders";
import { seeded, showSeed, type Random } from "../../../test/abuse/random";
import {
  cancelOrder,
  checkoutStarted,
  db,
  deliver,
  expirationComplete,
  newUser,
  paymentCreated,
  paymentRefunded,
  recordingEnv,
  vinylCreated,
  vinylOf,
  vinylUpdated,
  type OrderRef,
  type User,
  type Vinyl,
} from "./client";

/**
 * Delivery fuzz for the `orders-events` inbox: random histories of one order and its
 * record, every event delivered once or more (redeliveries, and resends under a new id),
 * shuffled, cut into batches of random sizes, sometimes two consumers racing through the
 * same round. The order must always settle where in-order delivery leaves it, announced
 * the same way.
 *
 * A history has at most one cause that ends the order (its hold ran out, it was paid, the
 * record was withdrawn, or the buyer cancelled before any event arrived): between two such
 * independent causes the first to arrive wins by design (docs/decisions.md "Races between
 * independent causes are decided by arrival at orders"), so arrival order may decide that
 * race but nothing else. After a buyer's cancel every other cause may arrive and must
 * change nothing.
 */

const SEED = 0x0bde_4500;
const RUNS = 1000;
/** Runs whose deliveries share each batch; storage is per file, so every run has its own record and order. */
const RUNS_PER_GROUP = 50;

type Ending = "open" | "expired" | "paid" | "withdrawn" | "buyer";
type Plan = {
  ending: Ending;
  checkout: boolean;
  /** Seller edits of the record (title and price), versions 1…n. */
  edits: number;
  /** Catalog's own news of the hold: reserved, then released or sold (not with a withdrawal). */
  catalogNews: boolean;
  refund: boolean;
  /** After a buyer's cancel: the causes that arrive late anyway. */
  late: ("expiry" | "payment" | "withdrawal")[];
  /** The listing's vinyl_created delivered again, late. */
  createdAgain: boolean;
};

function randomPlan(random: Random): Plan {
  const ending = random.pick<Ending>(["open", "expired", "paid", "withdrawn", "buyer"]);
  const late = ending === "buyer" ? (["expiry", "payment", "withdrawal"] as const).filter(() => random.chance(0.5)) : [];
  return {
    ending,
    checkout: random.chance(0.6),
    edits: random.int(3),
    catalogNews: (ending === "open" || ending === "expired" || ending === "paid") && random.chance(0.5),
    refund: (ending === "paid" || late.includes("payment")) && random.chance(0.5),
    late,
    createdAgain: random.chance(0.3),
  };
}

const shapeOf = (p: Plan) =>
  [
    p.ending,
    p.checkout && "checkout",
    p.edits > 0 && `${p.edits} edits`,
    p.catalogNews && "catalog news",
    p.refund && "refund",
    p.late.length > 0 && `late ${p.late.join("+")}`,
    p.createdAgain && "vinyl_created again",
  ]
    .filter(Boolean)
    .join(", ");

type Labelled = { label: string; body: DomainEvent };

/** The plan's events in the order their causes happened. */
function eventsOf(plan: Plan, vinyl: Vinyl, order: OrderRef, created: DomainEvent): Labelled[] {
  const out: Labelled[] = [];
  let current = vinyl;
  const update = (label: string, changes: Partial<Vinyl>) => {
    const next = vinylUpdated(current, changes);
    current = next.vinyl;
    out.push({ label: `vinyl ${label} v${current.version}`, body: next.event });
  };
  if (plan.createdAgain) out.push({ label: "vinyl created v0 (late copy)", body: created });
  for (let i = 1; i <= plan.edits; i++) update("edited", { title: `Edit ${i}`, priceCents: 2599 + i * 100 });
  if (plan.catalogNews) update("reserved", { status: "reserved", orderId: order.id });
  if (plan.checkout) out.push({ label: "checkout_started", body: checkoutStarted(order) });
  const payment = paymentCreated(order);
  if (plan.ending === "expired" || plan.late.includes("expiry")) out.push({ label: "expiration_complete", body: expirationComplete(order, 500) });
  if (plan.ending === "paid" || plan.late.includes("payment")) out.push({ label: "payment_created", body: payment });
  if (plan.refund) out.push({ label: "payment_refunded", body: { ...paymentRefunded(order), data: payment.data } });
  if (plan.ending === "withdrawn" || plan.late.includes("withdrawal")) update("withdrawn", { status: "withdrawn" });
  if (plan.catalogNews && plan.ending === "expired") update("released", { status: "available", orderId: null });
  if (plan.catalogNews && plan.ending === "paid") update("sold", { status: "sold" });
  return out;
}

/** Each event once or more (the same envelope again), sometimes resent under a new id; then shuffled. */
function deliveriesOf(events: Labelled[], random: Random): Labelled[] {
  const copies = events.flatMap((event) => {
    const times = random.pick([1, 1, 1, 2, 2, 3]);
    const out = Array.from({ length: times }, (_, i) => (i === 0 ? event : { ...event, label: `${event.label} (again)` }));
    if (random.chance(0.15)) out.push({ label: `${event.label} (resent)`, body: { ...event.body, id: crypto.randomUUID() } });
    return out;
  });
  return random.shuffle(copies);
}

/** Where the plan must end (a check on the in-order reference itself). */
function modelOutcome(p: Plan) {
  const status = { open: p.checkout ? "awaiting_payment" : "created", expired: "cancelled", paid: "complete", withdrawn: "cancelled", buyer: "cancelled" }[p.ending];
  const cancelReason = { open: null, expired: "expired", paid: null, withdrawn: "unavailable", buyer: "buyer" }[p.ending];
  return { order: { status, cancelReason, refunded: p.refund } };
}

type Subject = { plan: Plan; vinyl: Vinyl; created: DomainEvent; order?: OrderRef };

/**
 * Lists each subject's record through the inbox, stores its order as `POST /api/orders`
 * stores a new one (straight in the database: the fuzz needs thousands, and placing orders
 * is tested elsewhere), and for a buyer's cancel cancels it through the API.
 */
async function prepare(subjects: Subject[], buyer: User) {
  const { ids, result } = await deliver(subjects.map((s) => s.created));
  expect(result.explicitAcks).toHaveLength(ids.length);
  const now = new Date();
  const rows = subjects.map((s) => ({
    id: crypto.randomUUID(),
    userId: buyer.id,
    vinylId: s.vinyl.id,
    sellerId: s.vinyl.userId,
    vinylTitle: s.vinyl.title,
    priceCents: s.vinyl.priceCents,
    currency: s.vinyl.currency,
    status: "created" as const,
    cancelReason: null,
    expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString(),
    version: 0,
    refundedAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  }));
  // D1 binds at most 100 parameters per statement: seven rows of fourteen columns each.
  const inserts = [];
  for (let i = 0; i < rows.length; i += 7) inserts.push(db.insert(orders).values(rows.slice(i, i + 7)));
  await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
  // What cancelling publishes is not under test here; recorders take it quickly.
  const quiet = recordingEnv().env;
  for (const [i, subject] of subjects.entries()) {
    const row = rows[i]!;
    subject.order = { ...row, vinyl: { id: row.vinylId, title: row.vinylTitle, price: row.priceCents / 100, currency: row.currency } };
    if (subject.plan.ending === "buyer") expect((await cancelOrder(buyer, subject.order.id, quiet)).status).toBe(204);
  }
}

function newSubject(plan: Plan, seller: User): Subject {
  const vinyl = vinylOf(seller);
  return { plan, vinyl, created: vinylCreated(vinyl) };
}

/** What must not depend on arrival order: the order's state, whether a refund was recorded, the replica, what was announced. */
async function outcomes(subjects: Subject[], announced: DomainEvent[]) {
  const orderIds = subjects.map((s) => s.order!.id);
  const vinylIds = subjects.map((s) => s.vinyl.id);
  const orderRows = new Map<string, typeof orders.$inferSelect>();
  const vinylRows = new Map<string, typeof vinyls.$inferSelect>();
  for (let i = 0; i < orderIds.length; i += 90) {
    for (const row of await db.select().from(orders).where(inArray(orders.id, orderIds.slice(i, i + 90)))) orderRows.set(row.id, row);
    for (const row of await db.select().from(vinyls).where(inArray(vinyls.id, vinylIds.slice(i, i + 90)))) vinylRows.set(row.id, row);
  }
  return subjects.map((s) => {
    const order = orderRows.get(s.order!.id)!;
    const { title, priceCents, status, version } = vinylRows.get(s.vinyl.id)!;
    const about = announced.filter((e) => (e.data as { id?: string }).id === order.id);
    const versions = about.map((e) => e.version);
    return {
      order: { status: order.status, cancelReason: order.cancelReason, refunded: order.refundedAt !== null },
      replica: { title, priceCents, status, version },
      announced: about.map((e) => `${e.type}:${(e.data as { cancelReason?: string | null }).cancelReason ?? "-"}`).sort(),
      announcedInVersionOrder: versions.every((v, i) => i === 0 || v > versions[i - 1]!),
    };
  });
}

type Outcome = Awaited<ReturnType<typeof outcomes>>[number];

/** The outcome in-order delivery reaches for each distinct plan: event k of every plan in round k. */
async function references(plans: Plan[], seller: User, buyer: User) {
  const shapes = [...new Map(plans.map((p) => [shapeOf(p), p])).values()];
  const subjects = shapes.map((plan) => newSubject(plan, seller));
  await prepare(subjects, buyer);
  const events = subjects.map((s) => eventsOf(s.plan, s.vinyl, s.order!, s.created));
  const recording = recordingEnv();
  for (let k = 0; k < Math.max(...events.map((e) => e.length)); k++) {
    const { ids, result } = await deliver(events.flatMap((e) => e.slice(k, k + 1).map((d) => d.body)), recording.env);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(ids.length);
  }
  const out = new Map<string, Outcome>();
  (await outcomes(subjects, recording.sentTo.catalog)).forEach((outcome, i) => {
    expect(outcome, `in-order delivery of "${shapeOf(shapes[i]!)}"`).toMatchObject(modelOutcome(shapes[i]!));
    out.set(shapeOf(shapes[i]!), outcome);
  });
  return out;
}

describe("orders inbox under duplicated, shuffled and racing delivery", () => {
  // The consumer logs a line per message; thousands of them would only slow the run down.
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});

  it(`settles every order where in-order delivery does, over ${RUNS} seeded runs`, { timeout: 120_000 }, async () => {
    console.info(`orders delivery fuzz: seed ${showSeed(SEED)}, ${RUNS} runs`);
    const random = seeded(SEED);
    const plans = Array.from({ length: RUNS }, () => randomPlan(random));
    const [seller, buyer] = [await newUser(), await newUser()];
    const expected = await references(plans, seller, buyer);

    const failures: string[] = [];
    let delivered = 0;
    for (let start = 0; start < RUNS; start += RUNS_PER_GROUP) {
      const subjects = plans.slice(start, start + RUNS_PER_GROUP).map((plan) => newSubject(plan, seller));
      await prepare(subjects, buyer);
      const batches = subjects.map((s) => random.chunks(deliveriesOf(eventsOf(s.plan, s.vinyl, s.order!, s.created), random), 4));
      const racing = random.chance(0.25);
      const recording = recordingEnv();
      for (let k = 0; k < Math.max(...batches.map((b) => b.length)); k++) {
        const bodies = batches.flatMap((b) => (b[k] ?? []).map((d) => d.body));
        delivered += bodies.length;
        // Racing: two consumers take the round's messages at once, split at a random point.
        const cut = racing ? random.int(bodies.length + 1) : bodies.length;
        const parts = [bodies.slice(0, cut), bodies.slice(cut)].filter((p) => p.length > 0);
        for (const { ids, result, retries } of await Promise.all(parts.map((part) => deliver(part, recording.env)))) {
          if (retries.length > 0 || result.explicitAcks.length !== ids.length) {
            failures.push(`round ${k + 1} of runs #${start}–#${start + subjects.length - 1}: ${retries.length} retried, ${ids.length - result.explicitAcks.length} not acked`);
          }
        }
      }
      (await outcomes(subjects, recording.sentTo.catalog)).forEach((got, i) => {
        const want = expected.get(shapeOf(subjects[i]!.plan))!;
        if (JSON.stringify(got) === JSON.stringify(want)) return;
        failures.push(
          [
            `run #${start + i} (seed ${showSeed(SEED)}${racing ? ", two consumers racing each round" : ""}): ${shapeOf(subjects[i]!.plan)}`,
            ...batches[i]!.map((batch, n) => `  batch ${n + 1}: ${batch.map((d) => d.label).join(" | ")}`),
            `  settled as ${JSON.stringify(got)}`,
            `  in-order as ${JSON.stringify(want)}`,
          ].join("\n"),
        );
      });
    }
    console.info(`orders delivery fuzz: ${RUNS} runs, ${delivered} messages delivered, ${expected.size} distinct histories, ${failures.length} failures`);
    expect(failures.slice(0, 5).join("\n\n"), `${failures.length} of ${RUNS} runs failed (seed ${showSeed(SEED)})`).toBe("");
  });
});
