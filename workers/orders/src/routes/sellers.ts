import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, sql } from "drizzle-orm";
import { FEEDBACK_RATINGS, USERNAME_PATTERN } from "../../../../schema/vocabulary";
import { feedback as fb, profiles } from "../../../../schema/tables/orders";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonContent } from "../../../shared/src/openapi";
import { database } from "../db";
import { decodeFeedbackCursor, encodeFeedbackCursor } from "../feedback-cursor";
import { PublicName } from "../order-json";

/** `GET /api/sellers/:username/feedback`: what buyers said about a seller, for everyone to read. */
export const sellers = createRouter<ServiceEnv<Env>>();

export const DEFAULT_FEEDBACK_LIMIT = 20;

// A query value left empty by a form means "not given".
const query = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? undefined : v), schema.optional());

const FeedbackQuery = z.object({
  limit: query(
    z
      .string()
      .regex(/^\d{1,3}$/, { error: "Limit must be a whole number from 1 to 100" })
      .transform(Number)
      .refine((n) => n >= 1 && n <= 100, { error: "Limit must be a whole number from 1 to 100" })
      .openapi({ type: "string", example: "20", description: `1 to 100, ${DEFAULT_FEEDBACK_LIMIT} unless given` }),
  ),
  cursor: query(z.string().openapi({ description: 'From the `Link: rel="next"` header of the previous page' })),
});

const UsernameParam = z.object({ username: z.string().openapi({ param: { name: "username", in: "path" }, example: "crate-digger" }) });

const SellerFeedback = z
  .object({
    summary: z.object({
      positive: z.number().int(),
      neutral: z.number().int(),
      negative: z.number().int(),
      total: z.number().int(),
      percentPositive: z
        .number()
        .nullable()
        .openapi({ example: 98.5, description: "Positive ratings in percent of all, one decimal; `null` without any" }),
    }),
    feedback: z.array(
      z.object({
        rating: z.enum(FEEDBACK_RATINGS),
        comment: z.string().nullable(),
        createdAt: z.iso.datetime(),
        reply: z.string().nullable(),
        repliedAt: z.iso.datetime().nullable(),
        buyer: PublicName.nullable(),
        vinyl: z.object({ id: z.uuid(), title: z.string() }),
      }),
    ),
  })
  .openapi("SellerFeedback");

const sellerNotFound = () => new ApiError(404, "Seller not found");

sellers.openapi(
  createRoute({
    method: "get",
    path: "/{username}/feedback",
    summary: "A seller's feedback: the summary, and the feedback itself newest first, paged",
    request: { params: UsernameParam, query: FeedbackQuery },
    responses: {
      200: {
        ...jsonContent(SellerFeedback, "The summary of all feedback, and one page of it"),
        headers: z.object({ Link: z.string().optional().openapi({ description: '`<…>; rel="next"` when more remain' }) }),
      },
      400: errorContent("Invalid limit or cursor"),
      404: errorContent("No seller has this username"),
    },
  }),
  async (c) => {
    const { limit = DEFAULT_FEEDBACK_LIMIT, cursor: token } = c.req.valid("query");
    const username = c.req.valid("param").username.toLowerCase();
    if (!USERNAME_PATTERN.test(username)) throw sellerNotFound();
    const cursor = token === undefined ? null : decodeFeedbackCursor(token);
    if (token !== undefined && !cursor) throw new ApiError(400, [{ field: "cursor", message: "Cursor is invalid for this list" }]);

    const db = database(c.env);
    const sellerId = sql`(select ${profiles.userId} from ${profiles} where ${profiles.username} = ${username})`;
    const after = cursor ? sql`(${fb.createdAt}, ${fb.orderId}) < (${cursor.createdAt}, ${cursor.orderId})` : undefined;
    const [[seller], counts, rows] = await db.batch([
      db.select({ userId: profiles.userId }).from(profiles).where(eq(profiles.username, username)).limit(1),
      db
        .select({ rating: fb.rating, count: sql<number>`count(*)`.as("count") })
        .from(fb)
        .where(eq(fb.sellerId, sellerId))
        .groupBy(fb.rating),
      db
        .select({
          orderId: fb.orderId,
          rating: fb.rating,
          comment: fb.comment,
          createdAt: fb.createdAt,
          reply: fb.reply,
          repliedAt: fb.repliedAt,
          vinylId: fb.vinylId,
          vinylTitle: fb.vinylTitle,
          buyerUsername: sql<string | null>`${profiles.username}`.as("buyer_username"),
          buyerDisplayName: sql<string | null>`${profiles.displayName}`.as("buyer_display_name"),
        })
        .from(fb)
        .leftJoin(profiles, eq(profiles.userId, fb.buyerId))
        .where(and(eq(fb.sellerId, sellerId), after))
        .orderBy(desc(fb.createdAt), desc(fb.orderId))
        .limit(limit + 1),
    ]);
    if (!seller) throw sellerNotFound();

    const count = (rating: string) => counts.find((row) => row.rating === rating)?.count ?? 0;
    const [positive, neutral, negative] = FEEDBACK_RATINGS.map(count) as [number, number, number];
    const total = positive + neutral + negative;
    const shown = rows.slice(0, limit);
    if (rows.length > limit) {
      const last = shown.at(-1)!;
      const next = new URL(c.req.url);
      next.searchParams.set("cursor", encodeFeedbackCursor({ createdAt: last.createdAt, orderId: last.orderId }));
      // Relative to this request, so it holds whichever host forwarded it.
      c.header("Link", `<${next.pathname}${next.search}>; rel="next"`);
    }
    return c.json(
      {
        summary: { positive, neutral, negative, total, percentPositive: total === 0 ? null : Math.round((positive / total) * 1000) / 10 },
        feedback: shown.map((row) => ({
          rating: row.rating,
          comment: row.comment,
          createdAt: row.createdAt,
          reply: row.reply,
          repliedAt: row.repliedAt,
          buyer: row.buyerUsername ? { username: row.buyerUsername, displayName: row.buyerDisplayName } : null,
          vinyl: { id: row.vinylId, title: row.vinylTitle },
        })),
      },
      200,
    );
  },
);
