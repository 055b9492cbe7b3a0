import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { vinyls } from "../../../schema/tables/catalog";
import { callWith, db, downQueue, expectError, get, list, newUser, outboxEvents, send, validVinyl, type Vinyl } from "./client";

const stored = async (id: string) => {
  const [row] = await db
    .select({ shipsFrom: vinyls.shipsFrom, domestic: vinyls.shippingDomesticCents, international: vinyls.shippingInternationalCents })
    .from(vinyls)
    .where(eq(vinyls.id, id));
  return row!;
};

const shippingOf = ({ shipsFrom, shippingDomestic, shippingInternational }: Vinyl) => ({ shipsFrom, shippingDomestic, shippingInternational });

describe("shipping on a new listing", () => {
  it("keeps where it ships from and both prices, stored in exact cents", async () => {
    const vinyl = await list(await newUser(), { shipsFrom: "DE", shippingDomestic: 4.99, shippingInternational: 14.5 });
    expect(shippingOf(vinyl)).toEqual({ shipsFrom: "DE", shippingDomestic: 4.99, shippingInternational: 14.5 });
    expect(await stored(vinyl.id)).toEqual({ shipsFrom: "DE", domestic: 499, international: 1450 });
    expect(shippingOf(await (await get(`/api/vinyls/${vinyl.id}`)).json<Vinyl>())).toEqual(shippingOf(vinyl));
  });

  it("takes the documented defaults for what it is not given: US, 5.00 and no shipping abroad", async () => {
    const vinyl = await list(await newUser());
    expect(shippingOf(vinyl)).toEqual({ shipsFrom: "US", shippingDomestic: 5, shippingInternational: null });
    expect(await stored(vinyl.id)).toEqual({ shipsFrom: "US", domestic: 500, international: null });
  });

  it("defaults each field on its own", async () => {
    const seller = await newUser();
    expect(shippingOf(await list(seller, { shipsFrom: "JP" }))).toEqual({ shipsFrom: "JP", shippingDomestic: 5, shippingInternational: null });
    expect(shippingOf(await list(seller, { shippingDomestic: 0 }))).toEqual({ shipsFrom: "US", shippingDomestic: 0, shippingInternational: null });
    expect(shippingOf(await list(seller, { shippingInternational: 20 }))).toEqual({ shipsFrom: "US", shippingDomestic: 5, shippingInternational: 20 });
  });

  it('reads null, or "" as an emptied form field sends it, as "does not ship abroad"', async () => {
    const seller = await newUser();
    expect((await list(seller, { shippingInternational: null })).shippingInternational).toBeNull();
    expect((await list(seller, { shippingInternational: "" })).shippingInternational).toBeNull();
  });

  it("accepts free shipping and the most a listing may charge, 1000", async () => {
    const vinyl = await list(await newUser(), { shippingDomestic: 0, shippingInternational: 1000 });
    expect(shippingOf(vinyl)).toMatchObject({ shippingDomestic: 0, shippingInternational: 1000 });
    expect(await stored(vinyl.id)).toMatchObject({ domestic: 0, international: 100000 });
  });

  it("takes a country code in any case and stores it in capitals", async () => {
    expect((await list(await newUser(), { shipsFrom: " gb " })).shipsFrom).toBe("GB");
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown country", { shipsFrom: "ZZ" }, "shipsFrom"],
    ["a country name instead of a code", { shipsFrom: "Germany" }, "shipsFrom"],
    ["a three-letter code", { shipsFrom: "DEU" }, "shipsFrom"],
    ["a letter that upper-cases into a code (ß is SS)", { shipsFrom: "ß" }, "shipsFrom"],
    ["full-width letters", { shipsFrom: "ＵＳ" }, "shipsFrom"],
    ["a blank country", { shipsFrom: "" }, "shipsFrom"],
    ["a null country", { shipsFrom: null }, "shipsFrom"],
    ["a country that is not text", { shipsFrom: 49 }, "shipsFrom"],
    ["negative domestic shipping", { shippingDomestic: -1 }, "shippingDomestic"],
    ["domestic shipping over 1000", { shippingDomestic: 1000.01 }, "shippingDomestic"],
    ["domestic shipping with 3 decimals", { shippingDomestic: 4.999 }, "shippingDomestic"],
    ["domestic shipping sent as text", { shippingDomestic: "5" }, "shippingDomestic"],
    ["null domestic shipping", { shippingDomestic: null }, "shippingDomestic"],
    ["negative international shipping", { shippingInternational: -0.01 }, "shippingInternational"],
    ["international shipping over 1000", { shippingInternational: 1001 }, "shippingInternational"],
    ["international shipping with 3 decimals", { shippingInternational: 12.345 }, "shippingInternational"],
    ["international shipping sent as text", { shippingInternational: "12" }, "shippingInternational"],
    ["international shipping that is not a number", { shippingInternational: false }, "shippingInternational"],
  ])("answers 400 for %s, naming the field, and lists nothing", async (_, overrides, field) => {
    const seller = await newUser();
    const body = await expectError(await send("POST", "/api/vinyls", validVinyl(overrides), seller), 400);
    expect(body.errors).toEqual([{ field, message: expect.any(String) }]);
    expect(await (await get("/api/vinyls/mine", seller)).json<Vinyl[]>()).toEqual([]);
  });

  it("says what is wrong in words", async () => {
    const body = await expectError(
      await send("POST", "/api/vinyls", validVinyl({ shipsFrom: "ZZ", shippingDomestic: 2000, shippingInternational: 1.234 }), await newUser()),
      400,
    );
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: "shipsFrom", message: "Ships from must be an ISO 3166-1 alpha-2 country code, such as US or DE" },
        { field: "shippingDomestic", message: "Domestic shipping must be from 0 to 1000" },
        { field: "shippingInternational", message: "International shipping must have at most 2 decimal places" },
      ]),
    );
  });

  it("announces the shipping in vinyl_created", async () => {
    const created = await (
      await callWith({ ORDERS_EVENTS: downQueue }, "POST", "/api/vinyls", validVinyl({ shipsFrom: "FR", shippingDomestic: 3.2, shippingInternational: 11 }), await newUser())
    ).json<Vinyl>();
    const [event] = await outboxEvents(created.id);
    expect(event!.data).toMatchObject({ shipsFrom: "FR", shippingDomesticCents: 320, shippingInternationalCents: 1100 });
  });
});

describe("shipping on an edit", () => {
  vi.spyOn(console, "error").mockImplementation(() => {});

  it("keeps every shipping value the edit leaves out", async () => {
    const seller = await newUser();
    const vinyl = await list(seller, { shipsFrom: "CA", shippingDomestic: 7, shippingInternational: 18 });
    const res = await send("PUT", `/api/vinyls/${vinyl.id}`, { price: 30 }, seller);
    expect(res.status).toBe(200);
    expect(shippingOf(await res.json<Vinyl>())).toEqual({ shipsFrom: "CA", shippingDomestic: 7, shippingInternational: 18 });
  });

  it("changes each value it is sent, on its own", async () => {
    const seller = await newUser();
    const vinyl = await list(seller, { shipsFrom: "CA", shippingDomestic: 7, shippingInternational: 18 });
    const edit = async (body: Record<string, unknown>) => shippingOf(await (await send("PUT", `/api/vinyls/${vinyl.id}`, body, seller)).json<Vinyl>());
    expect(await edit({ shipsFrom: "MX" })).toEqual({ shipsFrom: "MX", shippingDomestic: 7, shippingInternational: 18 });
    expect(await edit({ shippingDomestic: 0 })).toEqual({ shipsFrom: "MX", shippingDomestic: 0, shippingInternational: 18 });
    expect(await edit({ shippingInternational: 22.5 })).toEqual({ shipsFrom: "MX", shippingDomestic: 0, shippingInternational: 22.5 });
    expect(await stored(vinyl.id)).toEqual({ shipsFrom: "MX", domestic: 0, international: 2250 });
  });

  it("stops shipping abroad on null, and starts again on a price", async () => {
    const seller = await newUser();
    const vinyl = await list(seller, { shippingInternational: 15 });
    const path = `/api/vinyls/${vinyl.id}`;
    expect((await (await send("PUT", path, { shippingInternational: null }, seller)).json<Vinyl>()).shippingInternational).toBeNull();
    expect((await stored(vinyl.id)).international).toBeNull();
    expect((await (await send("PUT", path, { shippingInternational: 9 }, seller)).json<Vinyl>()).shippingInternational).toBe(9);
    expect((await (await send("PUT", path, { shippingInternational: "" }, seller)).json<Vinyl>()).shippingInternational).toBeNull();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a null country (it cannot be cleared)", { shipsFrom: null }, "shipsFrom"],
    ["an unknown country", { shipsFrom: "XX" }, "shipsFrom"],
    ["null domestic shipping (it cannot be cleared)", { shippingDomestic: null }, "shippingDomestic"],
    ["domestic shipping over 1000", { shippingDomestic: 5000 }, "shippingDomestic"],
    ["international shipping with 3 decimals", { shippingInternational: 0.001 }, "shippingInternational"],
  ])("answers 400 for %s and changes nothing", async (_, body, field) => {
    const seller = await newUser();
    const vinyl = await list(seller, { shipsFrom: "NL", shippingDomestic: 6, shippingInternational: 12 });
    const res = await send("PUT", `/api/vinyls/${vinyl.id}`, body, seller);
    expect((await expectError(res, 400)).errors).toEqual([{ field, message: expect.any(String) }]);
    expect(await stored(vinyl.id)).toEqual({ shipsFrom: "NL", domestic: 600, international: 1200 });
  });

  it("announces the new shipping in vinyl_updated", async () => {
    const seller = await newUser();
    const down = { ORDERS_EVENTS: downQueue };
    const vinyl = await (await callWith(down, "POST", "/api/vinyls", validVinyl({ shippingInternational: 15 }), seller)).json<Vinyl>();
    const res = await callWith(down, "PUT", `/api/vinyls/${vinyl.id}`, { shipsFrom: "IT", shippingDomestic: 8, shippingInternational: null }, seller);
    expect(res.status).toBe(200);
    const events = await outboxEvents(vinyl.id);
    expect(events.map((e) => e.type)).toEqual(["vinyl_created", "vinyl_updated"]);
    expect(events[1]!.data).toMatchObject({ shipsFrom: "IT", shippingDomesticCents: 800, shippingInternationalCents: null, version: 1 });
  });
});
