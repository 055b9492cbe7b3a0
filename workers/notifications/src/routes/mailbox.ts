import { Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { and, desc, eq, lt } from "drizzle-orm";
import { devMailbox } from "../../../../schema/tables/notifications";
import type { ServiceEnv } from "../../../shared/src/app";
import { ApiError, fieldErrors, notFound } from "../../../shared/src/errors";
import { database } from "../db";

/**
 * The local mailbox: every message handed to the email binding, as `MAILBOX_CAPTURE = "1"`
 * kept it (development and tests only; deployed, these routes are not found). The
 * storefront forwards `/_dev/mailbox*` here. Not part of the public API or its document.
 */
export const mailbox = new Hono<ServiceEnv<Env>>();

mailbox.use(async (c, next) => {
  if (c.env.MAILBOX_CAPTURE !== "1") return notFound(c);
  await next();
  c.header("Cache-Control", "no-store");
});

const Query = z.object({
  to: z.string().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Only messages older than this id, for paging back. */
  before: z.coerce.number().int().positive().optional(),
});

type Row = typeof devMailbox.$inferSelect;

async function messages(env: Env, query: unknown): Promise<Row[]> {
  const parsed = Query.safeParse(query);
  if (!parsed.success) throw new ApiError(400, fieldErrors(parsed.error.issues));
  const { to, limit, before } = parsed.data;
  return database(env)
    .select()
    .from(devMailbox)
    .where(and(to ? eq(devMailbox.to, to.trim().toLowerCase()) : undefined, before ? lt(devMailbox.id, before) : undefined))
    .orderBy(desc(devMailbox.id))
    .limit(limit);
}

const toJson = (row: Row) => ({ ...row, headers: JSON.parse(row.headers) as Record<string, string> });

/** `GET /_dev/mailbox/messages?to=&limit=&before=`: newest first. */
mailbox.get("/messages", async (c) => c.json({ messages: (await messages(c.env, c.req.query())).map(toJson) }));

/** `DELETE /_dev/mailbox/messages`: empties the mailbox (the emails' own log stays). */
mailbox.delete("/messages", async (c) => {
  await database(c.env).delete(devMailbox);
  return c.body(null, 204);
});

/** `GET /_dev/mailbox/messages/:id/html`: the message's HTML body as a page of its own, sandboxed. */
mailbox.get("/messages/:id/html", async (c) => {
  const id = Number(c.req.param("id"));
  const [row] = Number.isSafeInteger(id) ? await database(c.env).select().from(devMailbox).where(eq(devMailbox.id, id)).limit(1) : [];
  if (!row) return notFound(c);
  c.header("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: http:");
  c.header("X-Content-Type-Options", "nosniff");
  return c.html(row.html);
});

// Links in a message's text, so the mailbox reads like a mail client.
const LINK = /(https?:\/\/[^\s<>"]+)/g;
const linkify = (text: string) =>
  text.split(LINK).map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : html`${part}`));

/** `GET /_dev/mailbox`: the messages as a page, newest first; `?to=` shows one recipient's. */
mailbox.get("/", async (c) => {
  const rows = await messages(c.env, c.req.query());
  const to = c.req.query("to");
  return c.html(html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Local mailbox – Oscillation</title>
    <style>
      body { margin: 0; font-family: system-ui, sans-serif; background: #14110f; color: #f4efe6; line-height: 1.5; }
      main { max-width: 56rem; margin: 0 auto; padding: 2rem 1rem; }
      a { color: #fb923c; }
      a:focus-visible, summary:focus-visible { outline: 3px solid #fb923c; outline-offset: 2px; }
      article { border: 1px solid #3a332d; border-radius: 0.75rem; padding: 1rem 1.25rem; margin: 1rem 0; background: #1d1916; }
      h2 { font-size: 1.1rem; margin: 0 0 0.25rem; }
      .meta { color: #b8ada0; font-size: 0.875rem; margin: 0; }
      pre { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; margin: 0.75rem 0 0; }
    </style>
  </head>
  <body>
    <main>
      <h1>Local mailbox</h1>
      <p class="meta">
        Every email the shop sent while running locally, newest first${to ? html` — to ${to} (<a href="/_dev/mailbox">everyone</a>)` : ""}.
        Nothing here left this machine.
      </p>
      ${rows.length === 0 ? html`<p>No messages yet.</p>` : ""}
      ${rows.map(
        (row) => html`<article aria-labelledby="message-${row.id}">
          <h2 id="message-${row.id}">${row.subject}</h2>
          <p class="meta">To <a href="/_dev/mailbox?to=${encodeURIComponent(row.to)}">${row.to}</a> · ${row.sentAt} · ${row.kind} ·
            <a href="/_dev/mailbox/messages/${row.id}/html">HTML version</a></p>
          <pre>${linkify(row.text)}</pre>
        </article>`,
      )}
    </main>
  </body>
</html>`);
});

