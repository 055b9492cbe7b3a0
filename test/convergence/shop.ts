/**
 * A driver for a whole running shop at `base`: sellers, buyers, orders, sandbox payments, and
 * the check that every record, order and payment agrees (the drills' definition of settled).
 */

import { newClientAddress } from "../support/client-address.mjs";

// The sandbox accepts any test-mode key; this is the one payments uses in sandbox mode.
const SANDBOX_AUTH = { authorization: "Bearer sk_test_sandbox" };

export type Order = { id: string; status: string; cancelReason: string | null; vinyl: { id: string } };
export type Vinyl = { id: string; status: string; orderId: string | null };
export type Account = { id: string; email: string; cookie: string };
/** What the drill did with an order. */
export type Plan = "pay" | "cancel" | "expire";
export type Case = { plan: Plan; buyer: Account; vinyl: Vinyl; order: Order; sessionId?: string };

export function shop(base: string) {
  async function api(path: string, init: RequestInit & { cookie?: string; json?: unknown } = {}) {
    const headers = new Headers(init.headers);
    if (init.cookie) headers.set("cookie", init.cookie);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    return fetch(`${base}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  }

  async function signUp(prefix: string): Promise<Account> {
    const email = `${prefix}-${crypto.randomUUID()}@example.com`;
    const res = await api("/api/users/signup", {
      method: "POST",
      json: { email, password: "needle-drop-42" },
      headers: { "cf-connecting-ip": newClientAddress() },
    });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
    const cookie = /session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
    return { id: ((await res.json()) as { id: string }).id, email, cookie };
  }

  /** Polls until `check` returns a value, for effects that travel over queues. */
  async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function list(seller: Account, title: string): Promise<Vinyl> {
    const res = await api("/api/vinyls", { method: "POST", cookie: seller.cookie, json: { title, genre: "Jazz", price: 32.5 } });
    if (res.status !== 201) throw new Error(`listing failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as Vinyl;
  }

  /** Orders `vinyl` once orders has heard of it (a 404 until then). */
  function order(buyer: Account, vinyl: Vinyl, timeoutMs: number) {
    return eventually(async () => {
      const res = await api("/api/orders", { method: "POST", cookie: buyer.cookie, json: { vinylId: vinyl.id } });
      if (res.status === 201) return (await res.json()) as Order;
      if (res.status !== 404) throw new Error(`order failed: ${res.status} ${await res.text()}`);
      return undefined;
    }, timeoutMs, `ordering ${vinyl.id}`);
  }

  /** Gives the order a shipping address, which prices its shipping: checkout needs it. */
  async function address(buyer: Account, order: Order) {
    const res = await api(`/api/orders/${order.id}/shipping-address`, {
      method: "PUT",
      cookie: buyer.cookie,
      json: { name: "Drill Buyer", line1: "1 Main Street", city: "Springfield", postalCode: "12345", country: "US" },
    });
    if (res.status !== 200) throw new Error(`address failed: ${res.status} ${await res.text()}`);
  }

  /**
   * Opens the order's checkout once payments has heard of the order (a 404 until then) and
   * of its address (a 409 asking for one until then).
   */
  function checkout(buyer: Account, order: Order, timeoutMs: number) {
    return eventually(async () => {
      const res = await api("/api/payments/checkout", { method: "POST", cookie: buyer.cookie, json: { orderId: order.id } });
      if (res.status === 201) return ((await res.json()) as { sessionId: string }).sessionId;
      const text = await res.text();
      if (res.status === 404 || (res.status === 409 && text.includes("Add a shipping address"))) return undefined;
      throw new Error(`checkout failed: ${res.status} ${text}`);
    }, timeoutMs, `checkout of ${order.id}`);
  }

  /** Pays a session in the sandbox with the card that always succeeds. */
  async function pay(sessionId: string) {
    const res = await api(`/_sandbox/stripe/v1/test_helpers/checkout/sessions/${sessionId}/pay`, {
      method: "POST",
      headers: { ...SANDBOX_AUTH, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    if (res.status !== 200) throw new Error(`pay failed: ${res.status} ${await res.text()}`);
  }

  const cancel = async (buyer: Account, order: Order) => {
    const res = await api(`/api/orders/${order.id}`, { method: "DELETE", cookie: buyer.cookie });
    if (res.status !== 204) throw new Error(`cancel failed: ${res.status} ${await res.text()}`);
  };

  const sandbox = async <T>(path: string) => (await (await api(`/_sandbox/stripe${path}`, { headers: SANDBOX_AUTH })).json()) as T;

  /** One case as the shop stands now, and what (if anything) still disagrees. */
  async function inspect(c: Case) {
    const order = (await (await api(`/api/orders/${c.order.id}`, { cookie: c.buyer.cookie })).json()) as Order;
    const vinyl = (await (await api(`/api/vinyls/${c.vinyl.id}`)).json()) as Vinyl;
    const session = c.sessionId ? await sandbox<{ status: string; payment_intent: string | null }>(`/v1/checkout/sessions/${c.sessionId}`) : null;
    const paid = session?.status === "complete";
    const refunds = paid && session.payment_intent ? (await sandbox<{ data: unknown[] }>(`/v1/refunds?payment_intent=${session.payment_intent}`)).data.length : 0;
    const problems: string[] = [];
    if (order.status !== "complete" && order.status !== "cancelled") problems.push(`order ${order.status}`);
    if (order.status === "complete" && (vinyl.status !== "sold" || vinyl.orderId !== order.id)) problems.push(`complete but record ${vinyl.status}`);
    if (order.status === "cancelled" && (vinyl.status !== "available" || vinyl.orderId !== null)) problems.push(`cancelled but record ${vinyl.status}`);
    if (order.status === "complete" && !paid) problems.push("complete without a payment");
    if (order.status === "cancelled" && paid && refunds !== 1) problems.push(`cancelled, paid, ${refunds} refunds`);
    if (order.status === "complete" && refunds > 0) problems.push("complete and refunded");
    if (order.status === "cancelled" && session?.status === "open") problems.push("cancelled with an open checkout");
    if (c.plan === "cancel" && order.status === "cancelled" && order.cancelReason !== "buyer") problems.push(`cancelled as ${order.cancelReason}`);
    if (c.plan === "expire" && order.status === "cancelled" && order.cancelReason !== "expired") problems.push(`expired as ${order.cancelReason}`);
    return { order, vinyl, paid, refunds, problems };
  }

  /** Waits until every case agrees everywhere; answers the final states and how long it took. */
  async function settle(cases: Case[], timeoutMs: number) {
    const started = Date.now();
    let last: Awaited<ReturnType<typeof inspect>>[] = [];
    for (;;) {
      last = await Promise.all(cases.map(inspect));
      const open = last.filter((s) => s.problems.length > 0);
      if (open.length === 0) return { states: last, ms: Date.now() - started };
      if (Date.now() - started > timeoutMs) {
        const detail = open.map((s) => `${s.order.id}: ${s.problems.join(", ")}`).join("\n");
        throw new Error(`${open.length} of ${cases.length} cases never settled within ${timeoutMs} ms:\n${detail}`);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /**
   * Lists one record per plan entry and orders each with its own buyer; for `pay`, opens its
   * checkout. Answers the cases, ready for the drill to pay, cancel or leave to expire.
   */
  async function prepare(plans: Plan[], timeoutMs: number): Promise<Case[]> {
    const seller = await signUp("seller");
    const vinyls: Vinyl[] = [];
    for (const [i, plan] of plans.entries()) vinyls.push(await list(seller, `Drill ${i} (${plan})`));
    return Promise.all(
      plans.map(async (plan, i) => {
        const buyer = await signUp(`buyer-${i}`);
        const placed = await order(buyer, vinyls[i]!, timeoutMs);
        if (plan === "pay") await address(buyer, placed);
        const sessionId = plan === "pay" ? await checkout(buyer, placed, timeoutMs) : undefined;
        return { plan, buyer, vinyl: vinyls[i]!, order: placed, ...(sessionId ? { sessionId } : {}) };
      }),
    );
  }

  /** Pays the `pay` cases and cancels the `cancel` ones, all at once. */
  const act = (cases: Case[]) =>
    Promise.all(cases.map((c) => (c.plan === "pay" ? pay(c.sessionId!) : c.plan === "cancel" ? cancel(c.buyer, c.order) : undefined)));

  /**
   * The emails the local mailbox holds about each case's order, by kind, once every email
   * the drill calls for is there (a paid order's receipt, an expired hold's notice).
   */
  async function mail(cases: Case[], timeoutMs: number) {
    const expected: Record<Plan, string | null> = { pay: "receipt", cancel: null, expire: "hold_expired" };
    const ofCase = async (c: Case) => {
      const res = await api(`/_dev/mailbox/messages?limit=500&to=${encodeURIComponent(c.buyer.email)}`);
      const { messages } = (await res.json()) as { messages: { kind: string; emailKey: string }[] };
      return messages.filter((m) => m.emailKey.includes(c.order.id));
    };
    return eventually(
      async () => {
        const all = await Promise.all(cases.map(ofCase));
        const kind = (i: number) => expected[cases[i]!.plan];
        return all.every((messages, i) => kind(i) === null || messages.some((m) => m.kind === kind(i))) ? all : undefined;
      },
      timeoutMs,
      "every email the drill calls for",
    );
  }

  return { prepare, act, settle, mail };
}

/** Counts of the final states, for the drill's printed summary. */
export function tally(states: { order: Order; vinyl: Vinyl; paid: boolean; refunds: number }[]) {
  const count = (test: (s: (typeof states)[number]) => boolean) => states.filter(test).length;
  return {
    complete: count((s) => s.order.status === "complete"),
    cancelledByBuyer: count((s) => s.order.cancelReason === "buyer"),
    expired: count((s) => s.order.cancelReason === "expired"),
    sold: count((s) => s.vinyl.status === "sold"),
    available: count((s) => s.vinyl.status === "available"),
    paid: count((s) => s.paid),
    refunded: count((s) => s.refunds > 0),
  };
}

/** How often the system logged `msg` (JSON log lines at LOG_LEVEL=warn), and the sum of a numeric field. */
export function logCount(output: string, msg: string, field?: string) {
  let lines = 0;
  let sum = 0;
  for (const match of output.matchAll(/\{"level":[^\n]*\}/g)) {
    try {
      const line = JSON.parse(match[0]) as Record<string, unknown>;
      if (line.msg !== msg) continue;
      lines++;
      if (field) sum += Number(line[field] ?? 0);
    } catch {
      // Not one of ours.
    }
  }
  return field ? sum : lines;
}
