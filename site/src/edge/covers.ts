import { Hono, type Context } from "hono";
import { z } from "zod/mini";
import { MAX_ARTIST_LENGTH, MAX_TITLE_LENGTH } from "../../../schema/vocabulary";
import { COVER_VERSION, coverSvg, coverUrl } from "../lib/cover-svg";
import { errorResponse, notFound } from "./errors";

const titleTooLong = `Title must be at most ${MAX_TITLE_LENGTH} characters`;
const artistTooLong = `Artist must be at most ${MAX_ARTIST_LENGTH} characters`;

// The mini build of zod: the storefront otherwise leaves zod out (docs/decisions.md), and
// this takes 8 KiB of it, gzipped, instead of all of it.
const CoverQuery = z.object({
  title: z
    .string({ error: "Title is required" })
    .check(z.minLength(1, { error: "Title is required" }), z.maxLength(MAX_TITLE_LENGTH, { error: titleTooLong })),
  artist: z.optional(z.string().check(z.maxLength(MAX_ARTIST_LENGTH, { error: artistTooLong }))),
});

const IMMUTABLE = "public, max-age=31536000, immutable";

const SVG_HEADERS = {
  "Content-Type": "image/svg+xml",
  "Cache-Control": IMMUTABLE,
  // Opened on its own, an SVG is a document: this one may load and run nothing, only style itself.
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  "X-Content-Type-Options": "nosniff",
};

/** `GET /covers/:version.svg?title=…&artist=…`: a record's generated cover, the same bytes for as long as the version stands. */
function cover(c: Context<{ Bindings: Env }>) {
  const query = CoverQuery.safeParse(c.req.query());
  if (!query.success) {
    const issue = query.error.issues[0]!;
    return errorResponse(c, 400, issue.message, typeof issue.path[0] === "string" ? issue.path[0] : undefined);
  }
  const { title, artist = null } = query.data;
  // A page from before a new drawing asks for the old version: it gets today's cover.
  if (c.req.param("file") !== `${COVER_VERSION}.svg`) {
    c.header("Cache-Control", "no-cache");
    return c.redirect(coverUrl(title, artist), 302);
  }
  return c.body(coverSvg(title, artist), 200, SVG_HEADERS);
}

/** Generated covers, mounted at COVERS_PATH. */
export const covers = new Hono<{ Bindings: Env }>();
covers.get("/:file{[0-9]+\\.svg}", cover);
covers.all("*", notFound);
