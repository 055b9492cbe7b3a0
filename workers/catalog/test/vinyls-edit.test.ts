import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { outbox } from "../../../schema/tables/catalog";
import worker from "../src/index";
import { db, downQueue, expectError, force, get, list, newUser, outboxEvents, recordingQueue, send, callWith, unsentEvents, type Vinyl } from "./client";

const put = (id: string, body: unknown, user?: Parameters<typeof send>[3]) => send("PUT", `/api/vinyls/${id}`, body, user);
const del = (id: string, user?: Parameters<typeof send>[3]) => send("DELETE", `/api/vinyls/${id}`, undefined, user);
const read = async (id: string) => (await get(`/api/vinyls/${id}`)).json<Vinyl>();

describe("PUT /api/vinyls/:id", () => {
  it("changes the fields sent, keeps the rest, and bumps the version", async () => {
    const seller = await newUser();
    const before = await list(seller, { mediaCondition: "VG", year: 1959, description: "Shrink intact" });
    const res = await put(before.id, { title: "Kind of Blue (Mono)", price: 31.5, mediaCondition: "NM" }, seller);
    expect(res.status).toBe(200);
    const after = await res.json<Vinyl>();
    expect(after).toEqual({
      ...before,
      title: "Kind of Blue (Mono)",
      price: 31.5,
      mediaCondition: "NM",
      version: 1,
      updatedAt: expect.any(String),
    });
    expect(after.updatedAt >= before.updatedAt).toBe(true);
    expect(await read(before.id)).toEqual(after);
  });

  it('clears an optional field sent as "" or null', async () => {
    const seller = await newUser();
    const before = await list(seller, { description: "Some text", format: "LP", year: 1970, sleeveCondition: "VG" });
    const after = await (await put(before.id, { artist: "", description: "", format: null, year: null, sleeveCondition: "" }, seller)).json<Vinyl>();
    expect(after).toMatchObject({ artist: null, description: null, format: null, year: null, sleeveCondition: null, label: "Columbia" });
  });

  it("bumps the version by one on every edit", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    for (const version of [1, 2, 3]) {
      expect((await (await put(vinyl.id, { price: 10 + version }, seller)).json<Vinyl>()).version).toBe(version);
    }
  });

  it("stores an edited price in exact cents", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    expect((await (await put(vinyl.id, { price: 0.29 }, seller)).json<Vinyl>()).price).toBe(0.29);
  });

  it("answers 401 to an anonymous caller", async () => {
    const vinyl = await list(await newUser());
    await expectError(await put(vinyl.id, { price: 1 }), 401);
    expect((await read(vinyl.id)).version).toBe(0);
  });

  it("answers 400 for an invalid field and changes nothing", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const body = await expectError(await put(vinyl.id, { title: " ", price: 1.001 }, seller), 400);
    expect(body.errors.map((e) => e.field).sort()).toEqual(["price", "title"]);
    expect(await read(vinyl.id)).toEqual(vinyl);
  });

  it("answers 400 when a required field is sent as null", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const body = await expectError(await put(vinyl.id, { title: null, genre: null, price: null }, seller), 400);
    expect(body.errors.map((e) => e.field).sort()).toEqual(["genre", "price", "title"]);
  });

  it("answers 400 for an image that was not uploaded here", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const body = await expectError(await put(vinyl.id, { imageUrl: "https://cdn.example.com/a.png" }, seller), 400);
    expect(body.errors).toEqual([{ field: "imageUrl", message: "Image must be an image uploaded to this shop" }]);
  });

  it.each(["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", crypto.randomUUID().toUpperCase()])(
    "answers 404 for the id %s",
    async (id) => {
      await expectError(await put(id, { price: 5 }, await newUser()), 404);
    },
  );

  it("answers 404 for an unknown id", async () => {
    await expectError(await put(crypto.randomUUID(), { price: 5 }, await newUser()), 404);
  });

  it("answers 403 to someone who is not the seller and changes nothing", async () => {
    const vinyl = await list(await newUser());
    await expectError(await put(vinyl.id, { price: 1 }, await newUser()), 403);
    expect(await read(vinyl.id)).toEqual(vinyl);
  });

  it.each(["reserved", "sold"] as const)("answers 409 `Cannot edit a reserved vinyl` for a %s record", async (status) => {
    const seller = await newUser();
    const vinyl = await list(seller);
    await force(vinyl.id, status);
    const body = await expectError(await put(vinyl.id, { price: 1 }, seller), 409);
    expect(body.errors).toEqual([{ message: "Cannot edit a reserved vinyl" }]);
    expect((await read(vinyl.id)).price).toBe(vinyl.price);
  });

  it("answers 409 for a withdrawn record", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    expect((await del(vinyl.id, seller)).status).toBe(204);
    const body = await expectError(await put(vinyl.id, { price: 1 }, seller), 409);
    expect(body.errors).toEqual([{ message: "Cannot edit a withdrawn vinyl" }]);
  });

  describe("checks in the contract's order: 401, 400, 404, 403, 409", () => {
    it("answers 401 to an anonymous caller with an invalid body for someone else's reserved record", async () => {
      const vinyl = await list(await newUser());
      await force(vinyl.id, "reserved");
      await expectError(await put(vinyl.id, { price: -1 }), 401);
    });

    it("answers 400 to a signed-in caller with an invalid body for someone else's reserved record", async () => {
      const vinyl = await list(await newUser());
      await force(vinyl.id, "reserved");
      await expectError(await put(vinyl.id, { price: -1 }, await newUser()), 400);
    });

    it("answers 400 before 404: an invalid body for an unknown or malformed id", async () => {
      const user = await newUser();
      await expectError(await put(crypto.randomUUID(), { genre: "Polka" }, user), 400);
      await expectError(await put("nope", { genre: "Polka" }, user), 400);
    });

    it("answers 400 before 404 for an image that was not uploaded, on an unknown id", async () => {
      await expectError(await put(crypto.randomUUID(), { imageUrl: `/images/${"0".repeat(64)}.jpg` }, await newUser()), 400);
    });

    it("answers 403 before 409: a valid body for someone else's reserved record", async () => {
      const vinyl = await list(await newUser());
      await force(vinyl.id, "reserved");
      await expectError(await put(vinyl.id, { price: 2 }, await newUser()), 403);
    });
  });
});

describe("DELETE /api/vinyls/:id", () => {
  it("withdraws the seller's record: 204, status withdrawn, version + 1, still readable", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const res = await del(vinyl.id, seller);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await read(vinyl.id)).toMatchObject({ status: "withdrawn", version: 1, orderId: null });
  });

  it("answers 204 again for a record already withdrawn, changing nothing", async () => {
    const seller = await newUser();
    const vinyl = await list(seller);
    await del(vinyl.id, seller);
    expect((await del(vinyl.id, seller)).status).toBe(204);
    expect((await read(vinyl.id)).version).toBe(1);
  });

  it("answers 401 to an anonymous caller, even for an unknown id", async () => {
    await expectError(await del(crypto.randomUUID()), 401);
    const vinyl = await list(await newUser());
    await expectError(await del(vinyl.id), 401);
    expect((await read(vinyl.id)).status).toBe("available");
  });

  it("answers 404 for an unknown or malformed id", async () => {
    const user = await newUser();
    await expectError(await del(crypto.randomUUID(), user), 404);
    await expectError(await del("..%2F..%2Fetc", user), 404);
  });

  it("answers 403 to someone who is not the seller, whatever the record's state", async () => {
    const vinyl = await list(await newUser());
    await expectError(await del(vinyl.id, await newUser()), 403);
    await force(vinyl.id, "reserved");
    await expectError(await del(vinyl.id, await newUser()), 403);
    await force(vinyl.id, "withdrawn");
    await expectError(await del(vinyl.id, await newUser()), 403);
  });

  it.each(["reserved", "sold"] as const)("answers 409 for a %s record and leaves it as it was", async (status) => {
    const seller = await newUser();
    const vinyl = await list(seller);
    const orderId = await force(vinyl.id, status);
    const body = await expectError(await del(vinyl.id, seller), 409);
    expect(body.errors[0]!.message).toMatch(new RegExp(`Cannot withdraw a ${status} vinyl`));
    expect(await read(vinyl.id)).toMatchObject({ status, orderId, version: 0 });
  });
});

describe("events for listings", () => {
  // The relay's failures are logged as errors, which these tests cause on purpose.
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("writes vinyl_created, then vinyl_updated for an edit and for a withdrawal, with the listing's versions", async () => {
    const seller = await newUser();
    const down = { ORDERS_EVENTS: downQueue };
    const created = await (await callWith(down, "POST", "/api/vinyls", { title: "Blue Train", price: 12.34, genre: "Jazz" }, seller)).json<Vinyl>();
    const edited = await (await callWith(down, "PUT", `/api/vinyls/${created.id}`, { price: 13.5, label: "Blue Note" }, seller)).json<Vinyl>();
    expect((await callWith(down, "DELETE", `/api/vinyls/${created.id}`, undefined, seller)).status).toBe(204);
    const withdrawn = await read(created.id);

    const events = await outboxEvents(created.id);
    expect(events.map((e) => [e.type, e.version, e.destination, e.source])).toEqual([
      ["vinyl_created", 0, "orders", "catalog"],
      ["vinyl_updated", 1, "orders", "catalog"],
      ["vinyl_updated", 2, "orders", "catalog"],
    ]);
    const cents = (amount: number) => Math.round(amount * 100);
    // The seller's name is the catalog's copy of auth's profile, not part of the listing's events.
    const asData = ({ price, shippingDomestic, shippingInternational, seller: _seller, ...v }: Vinyl) => ({
      ...v,
      priceCents: cents(price),
      shippingDomesticCents: cents(shippingDomestic),
      shippingInternationalCents: shippingInternational === null ? null : cents(shippingInternational),
    });
    expect(events.map((e) => e.data)).toEqual([asData(created), asData(edited), asData(withdrawn)]);
    expect(events[2]!.data).toMatchObject({ status: "withdrawn", priceCents: 1350, label: "Blue Note", version: 2 });
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
  });

  it("writes no event for a refused edit or withdrawal", async () => {
    const seller = await newUser();
    const down = { ORDERS_EVENTS: downQueue };
    const vinyl = await (await callWith(down, "POST", "/api/vinyls", { title: "Giant Steps", price: 9, genre: "Jazz" }, seller)).json<Vinyl>();
    const stranger = await newUser();
    expect((await callWith(down, "PUT", `/api/vinyls/${vinyl.id}`, { price: 1 }, stranger)).status).toBe(403);
    expect((await callWith(down, "DELETE", `/api/vinyls/${vinyl.id}`, undefined, stranger)).status).toBe(403);
    await force(vinyl.id, "reserved");
    expect((await callWith(down, "PUT", `/api/vinyls/${vinyl.id}`, { price: 1 }, seller)).status).toBe(409);
    expect((await callWith(down, "DELETE", `/api/vinyls/${vinyl.id}`, undefined, seller)).status).toBe(409);
    expect((await outboxEvents(vinyl.id)).map((e) => e.type)).toEqual(["vinyl_created"]);
  });

  it("relays the events to the orders inbox after the response, numbered in commit order, and keeps their rows marked sent", async () => {
    const seller = await newUser();
    const orders = recordingQueue();
    const bindings = { ORDERS_EVENTS: orders.queue };
    const vinyl = await (await callWith(bindings, "POST", "/api/vinyls", { title: "Mingus Ah Um", price: 15, genre: "Jazz" }, seller)).json<Vinyl>();
    await callWith(bindings, "PUT", `/api/vinyls/${vinyl.id}`, { price: 16 }, seller);
    await callWith(bindings, "DELETE", `/api/vinyls/${vinyl.id}`, undefined, seller);
    expect(orders.sent).toEqual([
      expect.objectContaining({ type: "vinyl_created", version: 0, data: expect.objectContaining({ id: vinyl.id, priceCents: 1500 }) }),
      expect.objectContaining({ type: "vinyl_updated", version: 1, data: expect.objectContaining({ priceCents: 1600 }) }),
      expect.objectContaining({ type: "vinyl_updated", version: 2, data: expect.objectContaining({ status: "withdrawn" }) }),
    ]);
    const rows = await outboxEvents(vinyl.id);
    // Each commit took the orders inbox's next number, and each message carries its row's.
    const first = rows[0]!.seq!;
    expect(rows.map((r) => r.seq)).toEqual([first, first + 1, first + 2]);
    expect(orders.sent).toEqual(rows.map(({ destination: _d, sentAt: _s, ...message }) => message));
    expect(rows.map((r) => r.sentAt)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(await unsentEvents(vinyl.id)).toEqual([]);
  });

  it("are sent by the cron sweep when the relay after commit failed, with their numbers, and then marked sent", async () => {
    const seller = await newUser();
    const vinyl = await (await callWith({ ORDERS_EVENTS: downQueue }, "POST", "/api/vinyls", { title: "Swept", price: 7, genre: "Funk" }, seller)).json<Vinyl>();
    await callWith({ ORDERS_EVENTS: downQueue }, "PUT", `/api/vinyls/${vinyl.id}`, { price: 8 }, seller);
    const unsent = await unsentEvents(vinyl.id);
    expect(unsent.map((e) => [e.type, e.version])).toEqual([
      ["vinyl_created", 0],
      ["vinyl_updated", 1],
    ]);
    // Numbered at the commit, sent or not.
    expect(unsent.map((e) => e.seq)).toEqual([expect.any(Number), unsent[0]!.seq! + 1]);
    // The sweep leaves rows a relay may still be sending; these are a minute old.
    await db.update(outbox).set({ createdAt: sql`${outbox.createdAt} - 60000` });
    const orders = recordingQueue();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), { ...env, ORDERS_EVENTS: orders.queue }, ctx);
    await waitOnExecutionContext(ctx);
    expect(orders.sent).toEqual(expect.arrayContaining(unsent.map(({ destination: _d, sentAt: _s, ...message }) => message)));
    expect(orders.sent.filter((m) => (m as { data: { id?: string } }).data.id === vinyl.id)).toHaveLength(2);
    expect(await unsentEvents(vinyl.id)).toEqual([]);
    expect(await outboxEvents(vinyl.id)).toHaveLength(2);
  });
});
