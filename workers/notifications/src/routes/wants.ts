import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, sql } from "drizzle-orm";
import { GENRES, MEDIA_GRADES } from "../../../../schema/events";
import { wants as w } from "../../../../schema/tables/notifications";
import { MAX_ARTIST_LENGTH } from "../../../../schema/vocabulary";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonBody, jsonContent } from "../../../shared/src/openapi";
import { requireAuth, requireUser } from "../../../shared/src/session";
import { database } from "../db";
import { readUnsubscribeToken } from "../unsubscribe";
import { indexed, type Criteria } from "../want-criteria";
import { blankToNull, optionalText, wellFormed } from "../../../shared/src/text-input";

/** The most wants one user keeps. */
export const MAX_WANTS = 100;
/** Longest search text, as browse's (catalog's `MAX_QUERY_LENGTH`). */
const MAX_QUERY_LENGTH = 200;
const MAX_PRICE = 100_000;

// Ids are lower-case random UUIDs; anything else is simply unknown (404), not invalid.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// A constant: workerd forbids generating random values at module load.
const EXAMPLE_ID = "5b0e6c1a-2f4d-4b8e-9a37-0c6d2e8f1a44";

const MaxPrice = z.preprocess(
  blankToNull,
  z
    .number({ error: "Maximum price must be a number" })
    .refine((n) => n > 0, { error: "Maximum price must be greater than 0" })
    .refine((n) => n <= MAX_PRICE, { error: `Maximum price must be at most ${MAX_PRICE}` })
    .refine((n) => Number.isSafeInteger(Math.round(n * 100)) && Math.round(n * 100) / 100 === n, {
      error: "Maximum price must have at most 2 decimal places",
    })
    .nullable()
    .openapi({ example: 40, description: "Decimal dollars, > 0, ≤ 100000, at most two places" }),
);

const WantCreate = z
  .object(
    {
      q: optionalText("Search text", MAX_QUERY_LENGTH)
        .optional()
        .openapi({ example: "kind of blue", description: "Words that must each begin a word of the record's title, artist, label or description" }),
      artist: optionalText("Artist", MAX_ARTIST_LENGTH).optional().openapi({ example: "Miles Davis", description: "The whole artist name; case and accents do not matter" }),
      genre: z.preprocess(blankToNull, z.enum(GENRES, { error: "Genre must be one of the shop's genres" }).nullable()).optional(),
      condition: z
        .preprocess(blankToNull, z.enum(MEDIA_GRADES, { error: `Condition must be one of: ${MEDIA_GRADES.join(", ")}` }).nullable())
        .optional()
        .openapi({ description: "Minimum media grade" }),
      maxPrice: MaxPrice.optional(),
    },
    { error: "Request body must be a JSON object" },
  )
  .openapi("WantCreate");

const Want = z
  .object({
    id: z.uuid(),
    q: z.string().nullable(),
    artist: z.string().nullable(),
    genre: z.enum(GENRES).nullable(),
    condition: z.enum(MEDIA_GRADES).nullable().openapi({ description: "Minimum media grade" }),
    maxPrice: z.number().nullable().openapi({ example: 40 }),
    createdAt: z.iso.datetime(),
  })
  .openapi("Want");

type WantRow = typeof w.$inferSelect;

const toWantJson = (row: WantRow): z.infer<typeof Want> => ({
  id: row.id,
  q: row.q,
  artist: row.artist,
  genre: row.genre,
  condition: row.condition,
  maxPrice: row.maxPriceCents === null ? null : row.maxPriceCents / 100,
  createdAt: row.createdAt,
});

const IdParam = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: EXAMPLE_ID }) });
const TokenQuery = z.object({
  token: z
    .string({ error: "token is required" })
    .min(1, { error: "token is required" })
    .max(2000, { error: "This unsubscribe link is not valid" })
    .openapi({ param: { name: "token", in: "query" }, description: "From the unsubscribe link of a wantlist email" }),
});

const wantNotFound = () => new ApiError(404, "Want not found");
const badToken = () => new ApiError(400, [{ message: "This unsubscribe link is not valid", field: "token" }]);

export const wants = createRouter<ServiceEnv<Env>>();

// Wants are personal: never stored by a browser or the edge.
wants.use(async (c, next) => {
  await next();
  c.header("Cache-Control", "private, no-store");
});

wants.openapi(
  createRoute({
    method: "get",
    path: "/",
    summary: "The caller's wantlist, newest first",
    middleware: [requireAuth()] as const,
    responses: { 200: jsonContent(z.array(Want), "Every want of the caller"), 401: errorContent("Not signed in") },
  }),
  async (c) => {
    const user = requireUser(c);
    const rows = await database(c.env).select().from(w).where(eq(w.userId, user.id)).orderBy(desc(w.createdAt), desc(sql`rowid`));
    return c.json(rows.map(toWantJson), 200);
  },
);

wants.openapi(
  createRoute({
    method: "post",
    path: "/",
    summary: "Save a want: be emailed when a matching record is listed or drops to a matching price",
    description:
      "A want needs words, an artist or a genre; a grade and a maximum price narrow it. Saving the same want again answers the saved one (200). Records the caller sells never match.",
    middleware: [requireAuth()] as const,
    request: jsonBody(WantCreate),
    responses: {
      201: jsonContent(Want, "Saved"),
      200: jsonContent(Want, "The caller already has this want: that want"),
      400: errorContent("Invalid field, or no words, artist or genre"),
      401: errorContent("Not signed in"),
      409: errorContent(`The caller already keeps ${MAX_WANTS} wants`),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const input = c.req.valid("json");
    const criteria: Criteria = {
      q: input.q ?? null,
      artist: input.artist ?? null,
      genre: input.genre ?? null,
      condition: input.condition ?? null,
      maxPriceCents: input.maxPrice == null ? null : Math.round(input.maxPrice * 100),
    };
    const index = indexed(criteria);
    const errors = [
      ...(criteria.q && index.terms.length === 0 ? [{ message: "Search text must contain letters or digits", field: "q" }] : []),
      ...(criteria.artist && !index.artistKey ? [{ message: "Artist must contain letters or digits", field: "artist" }] : []),
    ];
    if (errors.length > 0) throw new ApiError(400, errors);
    if (!index.matchKey) throw new ApiError(400, "A want needs search words, an artist or a genre");

    const db = database(c.env);
    const id = crypto.randomUUID();
    const createdAt = new Date().toISOString();
    // One batch decides it: the insert happens only while the caller keeps fewer than the
    // most wants, and does nothing for criteria they already saved; the select explains.
    const [, [row]] = await db.batch([
      db
        .insert(w)
        .select(
          // Values in the table's column order (the generated price_cap is left out).
          sql`select ${id}, ${user.id}, ${criteria.q}, ${criteria.artist}, ${criteria.genre}, ${criteria.condition},
            ${criteria.maxPriceCents}, ${JSON.stringify(index.terms)}, ${index.artistKey}, ${index.matchKey}, ${index.minRank},
            ${index.criteria}, ${createdAt}
            where (select count(*) from ${w} where ${w.userId} = ${user.id}) < ${MAX_WANTS}`,
        )
        .onConflictDoNothing(),
      db.select().from(w).where(and(eq(w.userId, user.id), eq(w.criteria, index.criteria))).limit(1),
    ]);
    if (row?.id === id) {
      c.header("Location", `/api/wants/${id}`);
      return c.json(toWantJson(row), 201);
    }
    if (row) return c.json(toWantJson(row), 200);
    throw new ApiError(409, `You can keep at most ${MAX_WANTS} wants`);
  },
);

wants.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    summary: "Delete one of the caller's wants",
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: {
      204: { description: "Deleted: no more alerts for it" },
      401: errorContent("Not signed in"),
      403: errorContent("Someone else's want"),
      404: errorContent("No such want"),
    },
  }),
  async (c) => {
    const user = requireUser(c);
    const { id } = c.req.valid("param");
    if (!UUID.test(id)) throw wantNotFound();
    const db = database(c.env);
    const [deleted, [owner]] = await db.batch([
      db.delete(w).where(and(eq(w.id, id), eq(w.userId, user.id))).returning({ id: w.id }),
      db.select({ userId: w.userId }).from(w).where(eq(w.id, id)).limit(1),
    ]);
    if (deleted.length > 0) return c.body(null, 204);
    if (!owner) throw wantNotFound();
    throw new ApiError(403, "You can only delete your own wants");
  },
);

wants.openapi(
  createRoute({
    method: "get",
    path: "/unsubscribe",
    summary: "The want an unsubscribe link names, without signing in",
    request: { query: TokenQuery },
    responses: {
      200: jsonContent(z.object({ want: Want.nullable().openapi({ description: "`null` once it is deleted" }) }), "The want, if it still exists"),
      400: errorContent("Not a valid unsubscribe link"),
    },
  }),
  async (c) => {
    const found = await readUnsubscribeToken(c.req.valid("query").token, c.env.JWT_SECRET);
    if (!found) throw badToken();
    const [row] = await database(c.env)
      .select()
      .from(w)
      .where(and(eq(w.id, found.wantId), eq(w.userId, found.userId)))
      .limit(1);
    return c.json({ want: row ? toWantJson(row) : null }, 200);
  },
);

wants.openapi(
  createRoute({
    method: "post",
    path: "/unsubscribe",
    summary: "Delete the want an unsubscribe link names, without signing in",
    description:
      "The link of every wantlist email, and its one-click `List-Unsubscribe` (RFC 8058: any body is accepted). A want already deleted answers 200 too.",
    request: { query: TokenQuery },
    responses: { 200: jsonContent(z.object({}), "No more alerts for that want"), 400: errorContent("Not a valid unsubscribe link") },
  }),
  async (c) => {
    const found = await readUnsubscribeToken(c.req.valid("query").token, c.env.JWT_SECRET);
    if (!found) throw badToken();
    await database(c.env)
      .delete(w)
      .where(and(eq(w.id, found.wantId), eq(w.userId, found.userId)));
    return c.json({}, 200);
  },
);
