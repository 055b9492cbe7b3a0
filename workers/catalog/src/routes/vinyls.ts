import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, getTableColumns, gte, sql, type SQL } from "drizzle-orm";
import { bodyLimit } from "hono/body-limit";
import { createEvent } from "../../../../schema/events";
import { vinyls as vinylsTable } from "../../../../schema/tables/catalog";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { commit, publisherFor, stage } from "../../../shared/src/messaging";
import { requireAuth, requireUser, type SessionUser } from "../../../shared/src/session";
import { decodeCursor, encodeCursor, type Cursor, type Order } from "../cursor";
import { database } from "../db";
import { mediaRank } from "../grades";
import { keyFromImageUrl } from "../image-key";
import { DEFAULT_SHIPPING_DOMESTIC_CENTS, DEFAULT_SHIPS_FROM, toCents } from "../money";
import { searchMatch, toFtsQuery, vinylsSearch } from "../search";
import { stageVinylEvent, vinylEventData } from "../vinyl-events";
import { DEFAULT_LIMIT, ListQuery, MineQuery, VinylCreate, VinylUpdate, type VinylUpdateInput } from "../vinyl-input";
import { toVinylJson, Vinyl, type VinylRow } from "../vinyl-json";
import { sellerDisplayNameOf, sellerIdNamed, sellerUsernameOf } from "../sellers";

const t = vinylsTable;

// A literal, not a bound parameter: SQLite only uses the partial indexes for a term that matches theirs.
const AVAILABLE = sql`${t.status} = 'available'`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** JSON bodies stay small; only the photo upload may be large (see app.ts). */
const JSON_BODY_BYTES = 64 * 1024;
const jsonBodyLimit = bodyLimit({
  maxSize: JSON_BODY_BYTES,
  onError: () => {
    throw new ApiError(413, "Request body too large");
  },
});

const notFound = () => new ApiError(404, "Vinyl not found");

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "0b9e6a52-3c1f-4f7e-9a3d-2f8c1e5d7b40" }) });

/** Each order's terms; the id breaks ties so every row has one place in it (`seq` is unique). */
const ORDER: Record<Order, SQL[]> = {
  newest: [desc(t.createdAt), desc(t.id)],
  price_asc: [asc(t.priceCents), asc(t.id)],
  price_desc: [desc(t.priceCents), desc(t.id)],
  listed: [desc(vinylsSearch.rowid)],
};

/** Rows strictly after the cursor in its sort (row values keep this one index range). */
function after(cursor: Cursor): SQL {
  switch (cursor.sort) {
    case "newest":
      return sql`(${t.createdAt}, ${t.id}) < (${cursor.key}, ${cursor.id})`;
    case "price_asc":
      return sql`(${t.priceCents}, ${t.id}) > (${cursor.key}, ${cursor.id})`;
    case "price_desc":
      return sql`(${t.priceCents}, ${t.id}) < (${cursor.key}, ${cursor.id})`;
    case "listed":
      // D1 binds a JavaScript number as a real, and FTS5 only starts a scan at an integer
      // rowid: given a real it reads every match from the newest down to the cursor.
      return sql`${vinylsSearch.rowid} < cast(${cursor.key} as integer)`;
  }
}

function cursorAt(order: Order, row: VinylRow): Cursor {
  switch (order) {
    case "newest":
      return { sort: order, key: row.createdAt, id: row.id };
    case "price_asc":
    case "price_desc":
      return { sort: order, key: row.priceCents, id: row.id };
    case "listed":
      return { sort: order, key: row.seq };
  }
}

function readCursor(token: string | undefined, order: Order): Cursor | null {
  if (token === undefined) return null;
  const cursor = decodeCursor(token);
  if (!cursor || cursor.sort !== order) throw new ApiError(400, [{ field: "cursor", message: "Cursor is invalid for this list" }]);
  return cursor;
}

/** Answers one page; when more remain, links the next with the same query and a new cursor. */
function page(c: { req: { url: string }; header: (name: string, value: string) => void }, rows: VinylRow[], limit: number, order: Order) {
  const shown = rows.slice(0, limit);
  if (rows.length > limit) {
    const next = new URL(c.req.url);
    next.searchParams.set("cursor", encodeCursor(cursorAt(order, shown.at(-1)!)));
    // Relative to this request, so it holds whichever host forwarded it.
    c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
  }
  return shown.map(toVinylJson);
}

/** A 400 unless `imageUrl` names a photo that really was uploaded here. */
async function checkImage(env: Env, imageUrl: string | null | undefined) {
  if (!imageUrl) return;
  const key = keyFromImageUrl(imageUrl);
  if (key && (await env.IMAGES.head(key))) return;
  throw new ApiError(400, [{ field: "imageUrl", message: "Image must be an image uploaded to this shop" }]);
}

/** The columns an edit sets: only the fields the seller sent. */
function editedColumns(body: VinylUpdateInput) {
  const { price, shippingDomestic, shippingInternational, ...rest } = body;
  const set: Partial<typeof t.$inferInsert> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (set as Record<string, unknown>)[key] = value;
  }
  if (price !== undefined) set.priceCents = toCents(price)!;
  if (shippingDomestic !== undefined) set.shippingDomesticCents = toCents(shippingDomestic)!;
  if (shippingInternational !== undefined) set.shippingInternationalCents = shippingInternational === null ? null : toCents(shippingInternational)!;
  return set;
}

type State = { userId: string; status: VinylRow["status"] } | undefined;

/** Why a conditional write did not happen, read from the same batch: 404, then 403, then 409. */
function refusal(state: State, user: SessionUser, conflicts: Partial<Record<VinylRow["status"], string>>) {
  if (!state) return notFound();
  if (state.userId !== user.id) return new ApiError(403, "You can only change your own listings");
  return new ApiError(409, conflicts[state.status] ?? `Cannot change a ${state.status} vinyl`);
}

export const vinyls = createRouter<ServiceEnv<Env>>();

vinyls.openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "Available records, newest first unless sorted otherwise",
    request: { query: ListQuery },
    responses: {
      200: {
        ...jsonContent(z.array(Vinyl), "One page of available records"),
        headers: z.object({ Link: z.string().optional().openapi({ description: '`<…>; rel="next"` when more remain' }) }),
      },
      400: errorContent("An invalid query value"),
    },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const sort = query.sort ?? "newest";
    const limit = query.limit ?? DEFAULT_LIMIT;
    // Text with nothing searchable in it (only punctuation, say) filters nothing.
    const terms = query.q === undefined ? null : toFtsQuery(query.q);
    const match = terms && searchMatch(terms, query.genre);
    // A search sorted newest is read from the full-text index in its own order (listing
    // order, `seq`) and stops after a page; a price sort has to sort every match anyway.
    // One seller's search walks that seller's records instead, which are fewer than the
    // matches in the whole shop.
    const order: Order = match && sort === "newest" && !query.seller ? "listed" : sort;
    const cursor = readCursor(query.cursor, order);
    const where: SQL[] = [AVAILABLE];
    // One seller's records are read off that seller's index; the unary + keeps SQLite from
    // walking the whole genre's index instead and skipping every other seller's records.
    if (query.genre) where.push(query.seller ? sql`+${t.genre} = ${query.genre}` : eq(t.genre, query.genre));
    // Sorted newest, a price range is checked on each entry of the newest index as it is
    // read in order; the unary + keeps SQLite from searching the price index instead and
    // then sorting every record in the range.
    const price = sort === "newest" ? sql`+${t.priceCents}` : t.priceCents;
    if (query.minPrice !== undefined) where.push(sql`${price} >= ${query.minPrice}`);
    if (query.maxPrice !== undefined) where.push(sql`${price} <= ${query.maxPrice}`);
    if (query.condition) where.push(gte(t.mediaRank, mediaRank(query.condition)));
    // An unknown username names no seller id, so it matches nothing: an empty page, not a 404.
    if (query.seller) where.push(eq(t.userId, sellerIdNamed(query.seller)));
    if (cursor) where.push(after(cursor));
    const db = database(c.env);
    let rows: VinylRow[];
    if (order === "listed") {
      rows = await db
        .select(getTableColumns(t))
        .from(vinylsSearch)
        .innerJoin(t, eq(t.seq, vinylsSearch.rowid))
        .where(and(sql`${vinylsSearch} match ${match}`, ...where))
        .orderBy(...ORDER.listed)
        .limit(limit + 1);
    } else {
      if (match) where.push(sql`${t.seq} in (select rowid from ${vinylsSearch} where ${vinylsSearch} match ${match})`);
      rows = await db
        .select()
        .from(t)
        .where(and(...where))
        .orderBy(...ORDER[order])
        .limit(limit + 1);
    }
    return c.json(page(c, rows, limit, order), 200);
  },
);

// Declared before `/{id}`, which would otherwise take "mine" for an id.
vinyls.openapi(
  createRoute({
    method: "get",
    path: "/mine",
    summary: "The caller's listings in every status, newest first",
    middleware: [requireAuth()] as const,
    request: { query: MineQuery },
    responses: {
      200: jsonContent(z.array(Vinyl), "One page of the caller's listings (100 by default; `Link` for the next)"),
      400: errorContent("An invalid query value"),
      401: errorContent("Not signed in"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const query = c.req.valid("query");
    const limit = query.limit ?? 100;
    const cursor = readCursor(query.cursor, "newest");
    const where = [eq(t.userId, user.id)];
    if (cursor) where.push(after(cursor));
    const rows = await database(c.env)
      .select()
      .from(t)
      .where(and(...where))
      .orderBy(...ORDER.newest)
      .limit(limit + 1);
    // Personal: never stored by a browser or the edge.
    c.header("Cache-Control", "private, no-store");
    return c.json(page(c, rows, limit, "newest"), 200);
  },
);

vinyls.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    summary: "One record, in any status",
    request: { params: IdParam },
    responses: { 200: jsonContent(Vinyl, "The record"), 404: errorContent("No such record") },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    if (!UUID.test(id)) throw notFound();
    const [row] = await database(c.env).select().from(t).where(eq(t.id, id)).limit(1);
    if (!row) throw notFound();
    return c.json(toVinylJson(row), 200);
  },
);

vinyls.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "List a record for sale",
    middleware: [requireAuth(), jsonBodyLimit] as const,
    request: jsonBody(VinylCreate),
    responses: {
      201: jsonContent(Vinyl, "Listed: version 0, status available"),
      400: errorContent("Invalid fields, one entry per field"),
      401: errorContent("Not signed in"),
      413: errorContent("Body over 64 KiB"),
      415: errorContent("Body not sent as JSON"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const body = c.req.valid("json");
    await checkImage(c.env, body.imageUrl);
    const now = new Date().toISOString();
    const listing = {
      id: crypto.randomUUID(),
      userId: user.id,
      title: body.title,
      artist: body.artist ?? null,
      genre: body.genre,
      priceCents: toCents(body.price)!,
      currency: "USD",
      description: body.description ?? null,
      imageUrl: body.imageUrl ?? null,
      mediaCondition: body.mediaCondition ?? null,
      sleeveCondition: body.sleeveCondition ?? null,
      format: body.format ?? null,
      year: body.year ?? null,
      label: body.label ?? null,
      shipsFrom: body.shipsFrom ?? DEFAULT_SHIPS_FROM,
      shippingDomesticCents: body.shippingDomestic === undefined ? DEFAULT_SHIPPING_DOMESTIC_CENTS : toCents(body.shippingDomestic)!,
      shippingInternationalCents: body.shippingInternational == null ? null : toCents(body.shippingInternational)!,
      status: "available",
      orderId: null,
      version: 0,
      createdAt: now,
      updatedAt: now,
    } satisfies Omit<VinylRow, "seq" | "mediaRank" | "sellerUsername" | "sellerDisplayName">;
    const event = createEvent("vinyl_created", "catalog", vinylEventData(listing), listing.version);
    const db = database(c.env);
    // The seller's name is read from the profiles replica by the insert itself: no extra round trip.
    const row = { ...listing, sellerUsername: sellerUsernameOf(user.id), sellerDisplayName: sellerDisplayNameOf(user.id) };
    const [inserted] = await commit(db, [db.insert(t).values(row).returning(), stage(db, event)], publisherFor(c.env, c.executionCtx));
    return c.json(toVinylJson(inserted[0]!), 201);
  },
);

vinyls.openapi(
  createRoute({
    method: "put",
    path: "/{id}",
    summary: "Edit one's own available listing",
    description: 'Omitted fields keep their value; `""` or `null` clears an optional field.',
    middleware: [requireAuth(), jsonBodyLimit] as const,
    request: { params: IdParam, ...jsonBody(VinylUpdate) },
    responses: {
      200: jsonContent(Vinyl, "Edited: version + 1"),
      400: errorContent("Invalid fields, one entry per field"),
      401: errorContent("Not signed in"),
      403: errorContent("Not the seller"),
      404: errorContent("No such record"),
      409: errorContent("`Cannot edit a reserved vinyl` (reserved or sold), or a withdrawn one"),
      413: errorContent("Body over 64 KiB"),
      415: errorContent("Body not sent as JSON"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const body = c.req.valid("json");
    await checkImage(c.env, body.imageUrl);
    const { id } = c.req.valid("param");
    if (!UUID.test(id)) throw notFound();
    const db = database(c.env);
    // One round trip: the guarded edit, its event (only if the edit happened), and the
    // row's state to explain a refusal.
    const [[edited], , [state]] = await commit(
      db,
      [
        db
          .update(t)
          .set({ ...editedColumns(body), version: sql`${t.version} + 1`, updatedAt: new Date().toISOString() })
          .where(and(eq(t.id, id), eq(t.userId, user.id), AVAILABLE))
          .returning(),
        stageVinylEvent(db, "vinyl_updated", id),
        db.select({ userId: t.userId, status: t.status }).from(t).where(eq(t.id, id)),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (!edited) {
      throw refusal(state, user, {
        reserved: "Cannot edit a reserved vinyl",
        sold: "Cannot edit a reserved vinyl",
        withdrawn: "Cannot edit a withdrawn vinyl",
      });
    }
    return c.json(toVinylJson(edited), 200);
  },
);

vinyls.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    summary: "Withdraw one's own available listing",
    description: "The record stays readable with status `withdrawn`; withdrawing it again changes nothing.",
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: {
      204: { description: "Withdrawn" },
      401: errorContent("Not signed in"),
      403: errorContent("Not the seller"),
      404: errorContent("No such record"),
      409: errorContent("Reserved or sold"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid("param");
    if (!UUID.test(id)) throw notFound();
    const db = database(c.env);
    const [[withdrawn], , [state]] = await commit(
      db,
      [
        db
          .update(t)
          .set({ status: "withdrawn", version: sql`${t.version} + 1`, updatedAt: new Date().toISOString() })
          .where(and(eq(t.id, id), eq(t.userId, user.id), AVAILABLE))
          .returning({ id: t.id }),
        stageVinylEvent(db, "vinyl_updated", id),
        db.select({ userId: t.userId, status: t.status }).from(t).where(eq(t.id, id)),
      ],
      publisherFor(c.env, c.executionCtx),
    );
    if (withdrawn) return c.body(null, 204);
    // Withdrawing is idempotent: asking again for one's own withdrawn record is a success.
    if (state?.userId === user.id && state.status === "withdrawn") return c.body(null, 204);
    throw refusal(state, user, {
      reserved: "Cannot withdraw a reserved vinyl",
      sold: "Cannot withdraw a sold vinyl",
    });
  },
);
