import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { DomainEvent } from "../../../schema/events";
import { seeded, showSeed, type Random } from "../../../test/abuse/random";
import { deliver, listings, orderEvent, recorder, republished, storeListings, type OrderType, type VinylRow } from "./fuzz-queue";

/**
 * Delivery fuzz for the `catalog-events` inbox: random order histories for a record,
 * every event delivered once or more (redeliveries and resends under a new id), shuffled,
 * cut into batches of random sizes, and sometimes two consumers racing through the same
 * round. The record must always settle where in-order delivery leaves it; its version may
 * differ (docs/decisions.md: it counts the changes actually applied, at most one per
 * distinct event, none to a withdrawn record). None of it is announced: what orders do to a
 * record is catalog's own business (orders decides availability from its own orders).
 */

const SEED = 0xca7a_1065;
const RUNS = 1000;
/** Runs whose deliveries share each batch; storage is per file, so every run has its own record and orders. */
const RUNS_PER_GROUP = 50;

type Role = "o1" | "o2" | "o3";
type End = "live" | "cancelled" | "completed";
/** A record's orders one after another, as the orders service allows: only the last may still be live or complete. */
type History = { withdrawnFirst: boolean; orders: { role: Role; end: End; endVersion: 1 | 2 }[] };

const ROLES: Role[] = ["o1", "o2", "o3"];

function randomHistory(random: Random): History {
  const count = random.between(1, 3);
  return {
    // A seller may withdraw the record before catalog hears of an order placed meanwhile.
    withdrawnFirst: random.chance(0.1),
    orders: ROLES.slice(0, count).map((role, i) => ({
      role,
      end: i < count - 1 ? "cancelled" : random.pick<End>(["live", "cancelled", "completed"]),
      // An order that went to checkout first ends at version 2.
      endVersion: random.pick([1, 2] as const),
    })),
  };
}

const shapeOf = (h: History) =>
  `${h.withdrawnFirst ? "withdrawn, " : ""}${h.orders.map((o) => (o.end === "live" ? `${o.role} live` : `${o.role} ${o.end}@v${o.endVersion}`)).join(", ")}`;

const END_EVENT: Record<Exclude<End, "live">, OrderType> = { cancelled: "order_cancelled", completed: "order_completed" };

type Labelled = { label: string; body: DomainEvent };

/** The history's events in the order orders published them. */
function eventsOf(history: History, vinylId: string, orderIds: Record<Role, string>): Labelled[] {
  return history.orders.flatMap(({ role, end, endVersion }) => {
    const created = { label: `${role} created v0`, body: orderEvent("order_created", orderIds[role], vinylId, 0) };
    if (end === "live") return [created];
    const type = END_EVENT[end];
    return [created, { label: `${role} ${end} v${endVersion}`, body: orderEvent(type, orderIds[role], vinylId, endVersion) }];
  });
}

/** Each event once or more (the same envelope again), sometimes resent under a new id; then shuffled. */
function deliveriesOf(events: Labelled[], random: Random): Labelled[] {
  const copies = events.flatMap((event) => {
    const times = random.pick([1, 1, 1, 2, 2, 3]);
    const out = Array.from({ length: times }, (_, i) => (i === 0 ? event : { ...event, label: `${event.label} (again)` }));
    if (random.chance(0.15)) out.push({ label: `${event.label} (resent)`, body: republished(event.body) });
    return out;
  });
  return random.shuffle(copies);
}

/** What must not depend on delivery order: every field but the count of changes and their time, the order named by role. */
function settled(row: VinylRow, orderIds: Record<Role, string>) {
  const { version: _v, updatedAt: _u, seq: _s, id: _i, createdAt: _c, orderId, ...fields } = row;
  const role = ROLES.find((r) => orderIds[r] === orderId) ?? orderId;
  return { ...fields, orderId: role };
}

/** Where the history must end, by the rules in docs/decisions.md (a check on the reference itself). */
function modelOutcome(h: History) {
  if (h.withdrawnFirst) return { status: "withdrawn", orderId: null };
  const last = h.orders.at(-1)!;
  if (last.end === "completed") return { status: "sold", orderId: last.role };
  if (last.end === "live") return { status: "reserved", orderId: last.role };
  return { status: "available", orderId: null };
}

const newOrderIds = (): Record<Role, string> => ({ o1: crypto.randomUUID(), o2: crypto.randomUUID(), o3: crypto.randomUUID() });

type Run = {
  index: number;
  history: History;
  vinylId: string;
  orderIds: Record<Role, string>;
  batches: Labelled[][];
};

/** The state in-order delivery reaches for each distinct history: one record each, event k of every history in round k. */
async function references(histories: History[]) {
  const shapes = [...new Map(histories.map((h) => [shapeOf(h), h])).values()];
  const plain = await storeListings(shapes.filter((h) => !h.withdrawnFirst).length);
  const withdrawn = await storeListings(shapes.filter((h) => h.withdrawnFirst).length, "withdrawn");
  const subjects = shapes.map((history) => {
    const vinylId = (history.withdrawnFirst ? withdrawn : plain).pop()!;
    const orderIds = newOrderIds();
    return { history, vinylId, orderIds, events: eventsOf(history, vinylId, orderIds) };
  });
  const rounds = Math.max(...subjects.map((s) => s.events.length));
  for (let k = 0; k < rounds; k++) {
    const { ids, result } = await deliver(subjects.flatMap((s) => s.events.slice(k, k + 1).map((e) => e.body)), { ORDERS_EVENTS: recorder().queue });
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(ids.length);
  }
  const rows = await listings(subjects.map((s) => s.vinylId));
  const out = new Map<string, ReturnType<typeof settled>>();
  for (const s of subjects) {
    const reference = settled(rows.get(s.vinylId)!, s.orderIds);
    expect(reference, `in-order delivery of "${shapeOf(s.history)}"`).toMatchObject(modelOutcome(s.history));
    out.set(shapeOf(s.history), reference);
  }
  return out;
}

const describeRun = (run: Run, racing: boolean) =>
  [
    `run #${run.index} (seed ${showSeed(SEED)}${racing ? ", two consumers racing each round" : ""}): ${shapeOf(run.history)}`,
    ...run.batches.map((batch, i) => `  batch ${i + 1}: ${batch.map((d) => d.label).join(" | ")}`),
  ].join("\n");

describe("catalog inbox under duplicated, shuffled and racing delivery", () => {
  // The consumer logs a line per message; thousands of them would only slow the run down.
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(() => {});

  it(`settles every record where in-order delivery does, over ${RUNS} seeded runs`, { timeout: 120_000 }, async () => {
    console.info(`catalog delivery fuzz: seed ${showSeed(SEED)}, ${RUNS} runs`);
    const random = seeded(SEED);
    const histories = Array.from({ length: RUNS }, () => randomHistory(random));
    const expected = await references(histories);

    const failures: string[] = [];
    let delivered = 0;
    for (let start = 0; start < RUNS; start += RUNS_PER_GROUP) {
      const group = histories.slice(start, start + RUNS_PER_GROUP);
      const plain = await storeListings(group.filter((h) => !h.withdrawnFirst).length);
      const withdrawn = await storeListings(group.filter((h) => h.withdrawnFirst).length, "withdrawn");
      const runs: Run[] = group.map((history, i) => {
        const vinylId = (history.withdrawnFirst ? withdrawn : plain).pop()!;
        const orderIds = newOrderIds();
        return { index: start + i, history, vinylId, orderIds, batches: random.chunks(deliveriesOf(eventsOf(history, vinylId, orderIds), random), 4) };
      });
      const racing = random.chance(0.25);
      const published = recorder();
      const rounds = Math.max(...runs.map((r) => r.batches.length));
      for (let k = 0; k < rounds; k++) {
        const bodies = runs.flatMap((r) => (r.batches[k] ?? []).map((d) => d.body));
        delivered += bodies.length;
        // Racing: two consumers take the round's messages at once, split at a random point.
        const cut = racing ? random.int(bodies.length + 1) : bodies.length;
        const parts = [bodies.slice(0, cut), bodies.slice(cut)].filter((p) => p.length > 0);
        const results = await Promise.all(parts.map((part) => deliver(part, { ORDERS_EVENTS: published.queue })));
        for (const { ids, result } of results) {
          if (result.retryMessages.length > 0 || result.explicitAcks.length !== ids.length) {
            failures.push(`round ${k + 1} of runs #${start}–#${start + runs.length - 1}: ${result.retryMessages.length} retried, ${ids.length - result.explicitAcks.length} not acked`);
          }
        }
      }

      const rows = await listings(runs.map((r) => r.vinylId));
      for (const run of runs) {
        const row = rows.get(run.vinylId)!;
        const want = expected.get(shapeOf(run.history))!;
        const got = settled(row, run.orderIds);
        const announced = published.sent.filter((e) => "id" in e.data && e.data.id === run.vinylId);
        const first = run.history.withdrawnFirst ? 1 : 0;
        const changes = row.version - first;
        // Each distinct event changes the record at most once; redeliveries and resends never.
        const most = run.history.withdrawnFirst ? 0 : eventsOf(run.history, run.vinylId, run.orderIds).length;
        const least = row.status === "available" || row.status === "withdrawn" ? 0 : 1;
        const problems = [
          JSON.stringify(got) !== JSON.stringify(want) && `settled as ${JSON.stringify(got)}, in-order delivery as ${JSON.stringify(want)}`,
          (changes < least || changes > most) && `version ${row.version}: ${changes} changes counted, expected ${least} to ${most}`,
          announced.length > 0 && `announced ${announced.map((e) => `${e.type}@${e.version}`).join(", ")}`,
        ].filter(Boolean);
        if (problems.length > 0) failures.push(`${describeRun(run, racing)}\n  ${problems.join("\n  ")}`);
      }
    }
    console.info(`catalog delivery fuzz: ${RUNS} runs, ${delivered} messages delivered, ${expected.size} distinct histories, ${failures.length} failures`);
    expect(failures.slice(0, 5).join("\n\n"), `${failures.length} of ${RUNS} runs failed (seed ${showSeed(SEED)})`).toBe("");
    // Nothing was staged either: no echo waits in the outbox for a sweep.
    expect(await env.CATALOG_DB.prepare("select count(*) n from outbox").first<number>("n")).toBe(0);
    // The full-text index holds each record's status, so every change above rewrote an entry
    // of it: it must still agree with the table, and find exactly the records for sale.
    await env.CATALOG_DB.prepare("insert into vinyls_search (vinyls_search, rank) values ('integrity-check', 1)").run();
    const count = (sql: string) => env.CATALOG_DB.prepare(sql).first<number>("n");
    expect(await count(`select count(*) n from vinyls_search where vinyls_search match 'status : "available"'`)).toBe(
      await count("select count(*) n from vinyls where status = 'available'"),
    );
  });
});
