import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { probesOf } from "../src/matching";
import { readUnsubscribeToken } from "../src/unsubscribe";
import {
  SHOP,
  call,
  contactUpdated,
  db,
  deliver,
  emailsFor,
  mailTo,
  newUser,
  send,
  vinylCreated,
  vinylOf,
  vinylUpdated,
  type User,
  type Vinyl,
} from "./client";

/**
 * Wantlist alerts: a listing (or a price drop) that matches a saved want emails the want's
 * owner once per record, with a link that opens the record and one that stops the alerts.
 */

type Collector = User & { address: string };

/** A signed-in user whose address notifications knows, with `wants` saved. */
async function collector(...wants: Record<string, unknown>[]): Promise<Collector> {
  const user = await newUser();
  const address = `collector-${user.id.slice(0, 8)}@example.com`;
  await deliver([contactUpdated(user.id, address)]);
  for (const want of wants) {
    const res = await send("POST", "/api/wants", want, user);
    expect(res.status, await res.clone().text()).toBe(201);
  }
  return { ...user, address };
}

const seller = () => ({ id: crypto.randomUUID() });

/** Lists `vinyl` (catalog's vinyl_created) and answers the alerts `who` got for it. */
async function list(vinyl: Vinyl, who: Collector) {
  const { result } = await deliver([vinylCreated(vinyl)]);
  expect(result.retryMessages).toEqual([]);
  return alertsFor(who, vinyl);
}

const alertsFor = async (who: Collector, vinyl: Vinyl) => (await mailTo(who.address)).filter((m) => m.emailKey.endsWith(`:${vinyl.id}`));

describe("a listing that matches a want", () => {
  it("emails the want's owner once, with what the record is, a link that opens it, and an unsubscribe link", async () => {
    const fan = await collector({ q: "kind of blue", genre: "Jazz", maxPrice: 30 });
    const vinyl = vinylOf(seller(), { title: "Kind of Blue", artist: "Miles Davis", priceCents: 2599, mediaCondition: "NM" });
    const [alert, ...more] = await list(vinyl, fan);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ kind: "want_match", subject: "Just listed: Kind of Blue" });
    expect(alert!.text).toContain("“Kind of Blue” by Miles Davis (Jazz, media NM) is for sale at $25.99.");
    expect(alert!.text).toContain("It matches a want on your wantlist: “kind of blue”, Jazz, at most $30.00.");
    expect(alert!.text).toContain(`See the record: ${SHOP}/vinyls/${vinyl.id}`);
    expect(alert!.html).toContain(`href="${SHOP}/vinyls/${vinyl.id}"`);
    const unsubscribe = /Stop alerts for this want: (\S+)/.exec(alert!.text)![1]!;
    expect(unsubscribe.startsWith(`${SHOP}/wants/unsubscribe?token=`)).toBe(true);
    // One-click unsubscribe, as mail clients offer it, posts to the API.
    const headers = JSON.parse(alert!.headers) as Record<string, string>;
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(headers["List-Unsubscribe"]).toMatch(new RegExp(`^<${SHOP}/api/wants/unsubscribe\\?token=[^>]+>$`));
  });

  it("stops once its unsubscribe link was followed, without signing in", async () => {
    const fan = await collector({ artist: "Nina Simone" });
    const first = await list(vinylOf(seller(), { title: "Pastel Blues", artist: "Nina Simone", genre: "Soul" }), fan);
    const url = new URL(/Stop alerts for this want: (\S+)/.exec(first[0]!.text)![1]!);
    const token = url.searchParams.get("token")!;
    expect(await readUnsubscribeToken(token, env.JWT_SECRET)).toMatchObject({ userId: fan.id });
    expect((await call(`/api/wants/unsubscribe?token=${encodeURIComponent(token)}`, { method: "POST" })).status).toBe(200);
    expect(await list(vinylOf(seller(), { title: "Wild Is the Wind", artist: "Nina Simone", genre: "Soul" }), fan)).toEqual([]);
  });

  it("reaches every want it matches, of different users, one email each", async () => {
    const [a, b] = [await collector({ genre: "Reggae" }), await collector({ q: "marley" })];
    const vinyl = vinylOf(seller(), { title: "Exodus", artist: "Bob Marley", genre: "Reggae" });
    expect(await list(vinyl, a)).toHaveLength(1);
    expect(await alertsFor(b, vinyl)).toHaveLength(1);
  });

  it("sends one email per want when one user's two wants match the same record", async () => {
    const fan = await collector({ genre: "Blues" }, { artist: "B.B. King" });
    expect(await list(vinylOf(seller(), { title: "Live at the Regal", artist: "B.B. King", genre: "Blues" }), fan)).toHaveLength(2);
  });
});

describe("what matches", () => {
  it.each([
    ["every word begins a word of the text", { q: "kin blu" }, { title: "Kind of Blue" }, true],
    ["a word found in the artist, label or description", { q: "columbia sessions" }, { label: "Columbia", description: "Recorded in two sessions." }, true],
    ["case and accents ignored", { q: "BJORK" }, { title: "Début", artist: "Björk", genre: "Electronic" }, true],
    ["a word missing", { q: "blue train" }, { title: "Kind of Blue" }, false],
    ["a word matching only the middle of a word", { q: "lue" }, { title: "Kind of Blue" }, false],
    ["the artist whole", { artist: "miles davis" }, { artist: "Miles Davis" }, true],
    ["the artist in part", { artist: "Miles" }, { artist: "Miles Davis" }, false],
    ["the genre", { genre: "Jazz" }, { genre: "Jazz" }, true],
    ["another genre", { q: "blue", genre: "Rock" }, { genre: "Jazz" }, false],
    ["at the maximum price", { genre: "Jazz", maxPrice: 25.99 }, { priceCents: 2599 }, true],
    ["a cent above it", { genre: "Jazz", maxPrice: 25.98 }, { priceCents: 2599 }, false],
    ["a grade at least as good", { genre: "Jazz", condition: "VG+" }, { mediaCondition: "NM" }, true],
    ["a grade just good enough", { genre: "Jazz", condition: "VG+" }, { mediaCondition: "VG+" }, true],
    ["a worse grade", { genre: "Jazz", condition: "VG+" }, { mediaCondition: "VG" }, false],
    ["no grade stated, for a want with one", { genre: "Jazz", condition: "P" }, { mediaCondition: null }, false],
  ] as const)("%s: %j against %j → %s", async (_, want, listing, matches) => {
    const fan = await collector(want);
    const vinyl = vinylOf(seller(), { title: "Kind of Blue", artist: "Miles Davis", genre: "Jazz", label: "Columbia", ...listing });
    expect(await list(vinyl, fan)).toHaveLength(matches ? 1 : 0);
  });

  it("never the user's own records", async () => {
    const fan = await collector({ genre: "Metal" });
    expect(await list(vinylOf(fan, { title: "Paranoid", genre: "Metal" }), fan)).toEqual([]);
    expect(await emailsFor(fan.id)).toEqual([]);
  });

  it("never a record that is not for sale", async () => {
    const fan = await collector({ genre: "Punk" });
    const { event } = vinylUpdated(vinylOf(seller(), { genre: "Punk" }), { status: "withdrawn" });
    await deliver([event]);
    expect(await mailTo(fan.address)).toEqual([]);
  });
});

describe("one email per record per want", () => {
  it("however often the listing's event is delivered, at once or later", async () => {
    const fan = await collector({ genre: "Funk" });
    const vinyl = vinylOf(seller(), { genre: "Funk" });
    const created = vinylCreated(vinyl);
    await Promise.all([deliver([created, created]), deliver([created])]);
    await deliver([created], undefined, 2);
    expect(await alertsFor(fan, vinyl)).toHaveLength(1);
  });

  it("not again for an edit, nor for a price drop the want already matched", async () => {
    const fan = await collector({ genre: "Disco" });
    const vinyl = vinylOf(seller(), { genre: "Disco", priceCents: 3000 });
    await list(vinyl, fan);
    const edited = vinylUpdated(vinyl, { description: "Now with the poster." });
    const dropped = vinylUpdated(edited.vinyl, { priceCents: 2000 });
    await deliver([edited.event]);
    await deliver([dropped.event]);
    expect(await alertsFor(fan, vinyl)).toHaveLength(1);
  });
});

describe("a price drop", () => {
  it("alerts a want whose maximum the record now meets, saying what it cost before", async () => {
    const fan = await collector({ q: "thriller", maxPrice: 20 });
    const vinyl = vinylOf(seller(), { title: "Thriller", artist: "Michael Jackson", genre: "Pop", priceCents: 2500 });
    expect(await list(vinyl, fan)).toEqual([]);
    const rise = vinylUpdated(vinyl, { priceCents: 2600 });
    await deliver([rise.event]);
    expect(await alertsFor(fan, vinyl)).toEqual([]);
    const drop = vinylUpdated(rise.vinyl, { priceCents: 1900 });
    await deliver([drop.event]);
    const [alert, ...more] = await alertsFor(fan, vinyl);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ subject: "Price drop: Thriller" });
    expect(alert!.text).toContain("is for sale at $19.00 (was $26.00).");
  });

  it("that arrives late (an older version) changes nothing", async () => {
    const fan = await collector({ q: "rumours", maxPrice: 20 });
    const vinyl = vinylOf(seller(), { title: "Rumours", artist: "Fleetwood Mac", genre: "Rock", priceCents: 2500 });
    await list(vinyl, fan);
    const drop = vinylUpdated(vinyl, { priceCents: 1500 });
    const withdrawn = vinylUpdated(drop.vinyl, { status: "withdrawn" });
    await deliver([withdrawn.event]);
    await deliver([drop.event]);
    expect(await alertsFor(fan, vinyl)).toEqual([]);
  });

  it("that comes behind a withdrawal in the same delivery changes nothing", async () => {
    const fan = await collector({ q: "tapestry", maxPrice: 20 });
    const vinyl = vinylOf(seller(), { title: "Tapestry", artist: "Carole King", genre: "Pop", priceCents: 2500 });
    await list(vinyl, fan);
    const drop = vinylUpdated(vinyl, { priceCents: 1500 });
    const withdrawn = vinylUpdated(drop.vinyl, { status: "withdrawn" });
    await deliver([withdrawn.event, drop.event]);
    expect(await emailsFor(fan.id)).toEqual([]);
  });
});

describe("a want deleted before its alert went out", () => {
  it("gets no email", async () => {
    // No address yet: the alert waits, pending.
    const stranger = await newUser();
    const res = await send("POST", "/api/wants", { genre: "Gospel" }, stranger);
    const want = await res.json<{ id: string }>();
    await deliver([vinylCreated(vinylOf(seller(), { genre: "Gospel" }))]);
    expect((await emailsFor(stranger.id)).map((e) => e.state)).toEqual(["pending"]);
    expect((await send("DELETE", `/api/wants/${want.id}`, undefined, stranger)).status).toBe(204);
    const address = `stranger-${stranger.id.slice(0, 8)}@example.com`;
    await deliver([contactUpdated(stranger.id, address)]);
    expect(await mailTo(address)).toEqual([]);
    expect((await emailsFor(stranger.id)).map((e) => e.state)).toEqual(["cancelled"]);
  });
});

describe("the lookup of candidate wants", () => {
  it("reads the wants index by match key and price, never the whole table", async () => {
    const vinyl = vinylOf(seller(), { title: "A Love Supreme", description: "Impulse! original pressing." });
    const plan = await db.all<{ detail: string }>(
      sql.raw(
        `explain query plan select id from wants where match_key in (select value from json_each('${JSON.stringify(probesOf(vinyl as never))}')) and price_cap >= 2599 and user_id <> 'x'`,
      ),
    );
    const details = plan.map((p) => p.detail).join("\n");
    expect(details).toMatch(/SEARCH wants USING INDEX wants_match \(match_key=\? AND price_cap>\?\)/);
    expect(details).not.toMatch(/SCAN wants/);
  });

  it("probes every prefix of every word of the text, the whole artist and the genre", () => {
    const probes = probesOf({ title: "Blue", artist: "Björk", label: null, description: null, genre: "Jazz" });
    expect(probes.sort()).toEqual(["a:bjork", "g:Jazz", "t:b", "t:bj", "t:bjo", "t:bjor", "t:bjork", "t:bl", "t:blu", "t:blue"].sort());
  });
});
