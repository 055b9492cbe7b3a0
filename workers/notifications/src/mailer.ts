import { and, asc, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import { contacts, devMailbox, emails, profiles, wants } from "../../../schema/tables/notifications";
import { log } from "../../shared/src/log";
import { openResetToken } from "../../shared/src/reset-link-seal";
import { database, type Database } from "./db";
import type { EmailData } from "./emails/kinds";
import { render } from "./emails/layout";
import { compose, type Context } from "./emails/templates";
import { unsubscribeToken } from "./unsubscribe";

/**
 * Sending: every `pending` email whose recipient's address is known is claimed, sent and
 * recorded as sent, once. The claim (`pending` → `sending`, with the time) is a conditional
 * update, so of two senders that pick the same email only one sends it. A claim older than
 * the lease belongs to a sender that died (or whose D1 write was lost) after claiming: it
 * may or may not have handed the email over, and it is sent again (docs/notifications.md,
 * "Exactly once").
 */

/** How long a claim holds; a send takes well under a second, so only a dead sender's claim lasts this long. */
export const LEASE_MS = 60_000;
/** Failed sends of one email before it is given up. */
export const MAX_ATTEMPTS = 8;
/** How long an email may wait for its recipient's address. */
export const ADDRESS_WAIT_MS = 7 * 24 * 60 * 60 * 1000;
/** Emails claimed at once; also the most sends in flight (a Worker may hold six connections). */
const CHUNK = 5;

/**
 * Email Service error codes that sending again cannot fix (docs: Workers API, "Error
 * codes"): the email is marked `failed`. Any other failure is retried by a later run.
 */
const PERMANENT = new Set([
  "E_VALIDATION_ERROR",
  "E_FIELD_MISSING",
  "E_TOO_MANY_RECIPIENTS",
  "E_RECIPIENT_NOT_ALLOWED",
  "E_RECIPIENT_SUPPRESSED",
  "E_CONTENT_TOO_LARGE",
  "E_HEADER_NOT_ALLOWED",
  "E_HEADER_USE_API_FIELD",
  "E_HEADER_VALUE_INVALID",
  "E_HEADER_VALUE_TOO_LONG",
  "E_HEADER_NAME_INVALID",
  "E_HEADERS_TOO_LARGE",
  "E_HEADERS_TOO_MANY",
]);
/** Codes that say the service is refusing for a while: the run stops rather than keep asking. */
const BACK_OFF = new Set(["E_RATE_LIMIT_EXCEEDED", "E_DAILY_LIMIT_EXCEEDED"]);

const codeOf = (error: unknown) => (typeof error === "object" && error !== null && "code" in error ? String(error.code) : null);

type Due = typeof emails.$inferSelect & { address: string };

export type RunResult = { sent: number; failed: number; retried: number; cancelled: number; expired: number };

const shopOf = (env: Env) => env.SHOP_URL.replace(/\/+$/, "");

// Repeats the partial index's own condition as a literal, so SQLite reads the index
// (emails_unsent) rather than the whole sent-message log.
const UNSENT = sql`${emails.state} in ('pending', 'sending')`;

/** Emails past their `not_after`, never sent: a hold's email after the hold ended. */
export const expiring = (db: Database, now: number) =>
  db
    .update(emails)
    .set({ state: "expired", claimedAt: null })
    .where(and(UNSENT, lte(emails.notAfter, now), or(eq(emails.state, "pending"), lt(emails.claimedAt, now - LEASE_MS))));

async function expire(db: Database, now: number) {
  return (await expiring(db, now)).meta.changes;
}

/** Up to `limit` emails due now, oldest first, with their recipient's address. */
export const dueQuery = (db: Database, now: number, limit: number) =>
  db
    .select({ email: emails, address: contacts.email })
    .from(emails)
    .innerJoin(contacts, eq(contacts.userId, emails.recipientId))
    .where(and(UNSENT, or(eq(emails.state, "pending"), lt(emails.claimedAt, now - LEASE_MS))))
    .orderBy(asc(emails.createdAt))
    .limit(limit);

async function due(db: Database, now: number, limit: number): Promise<Due[]> {
  return (await dueQuery(db, now, limit)).map((r) => ({ ...r.email, address: r.address }));
}

/** Claims `email` for this sender; false when another sender has it or it was sent meanwhile. */
async function claim(db: Database, email: Due, now: number): Promise<boolean> {
  const claimed = await db
    .update(emails)
    .set({ state: "sending", claimedAt: now, attempts: sql`${emails.attempts} + 1` })
    .where(
      and(
        eq(emails.key, email.key),
        or(eq(emails.state, "pending"), and(eq(emails.state, "sending"), lt(emails.claimedAt, now - LEASE_MS))),
      ),
    )
    .returning({ key: emails.key });
  return claimed.length > 0;
}

/** Public names (display name, else username) of `ids`, as far as the profiles replica knows them. */
async function namesOf(db: Database, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ userId: profiles.userId, username: profiles.username, displayName: profiles.displayName })
    .from(profiles)
    .where(inArray(profiles.userId, [...new Set(ids)]));
  return new Map(rows.map((r) => [r.userId, r.displayName || r.username]));
}

/**
 * Sends one claimed email and records the outcome. What it says is rendered now, from its
 * data, the recipient's name and (for an alert) the want, which may have been deleted since.
 */
async function deliver(env: Env, db: Database, email: Due, names: Map<string, string>, now: number): Promise<keyof RunResult> {
  const data = JSON.parse(email.data) as EmailData;
  const ctx: Context = { shop: shopOf(env), names };
  const headers: Record<string, string> = { "Auto-Submitted": "auto-generated", "X-Oscillation-Email": email.key };
  if (email.wantId) {
    const [want] = await db.select().from(wants).where(eq(wants.id, email.wantId)).limit(1);
    if (!want) {
      await db.update(emails).set({ state: "cancelled", claimedAt: null }).where(eq(emails.key, email.key));
      return "cancelled";
    }
    const token = await unsubscribeToken(want, env.JWT_SECRET);
    const unsubscribeUrl = `${ctx.shop}/wants/unsubscribe?token=${encodeURIComponent(token)}`;
    ctx.want = { row: want, unsubscribeUrl };
    // One-click unsubscribe (RFC 8058) posts to the API; Email Service accepts only HTTPS links there.
    if (ctx.shop.startsWith("https://")) {
      headers["List-Unsubscribe"] = `<${ctx.shop}/api/wants/unsubscribe?token=${encodeURIComponent(token)}>`;
      headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
    }
  }
  if (data.kind === "password_reset") {
    const token = await openResetToken(data.sealedToken, env.JWT_SECRET);
    if (token === null) {
      // Sealed under a secret no longer configured, or altered: no link can be written.
      log.error("email not sent; its reset link cannot be opened", { key: email.key, kind: email.kind });
      await db
        .update(emails)
        .set({ state: "failed", claimedAt: null, error: "unreadable reset link", data: JSON.stringify({ ...data, sealedToken: "" }) })
        .where(eq(emails.key, email.key));
      return "failed";
    }
    ctx.resetUrl = `${ctx.shop}/reset-password?token=${encodeURIComponent(token)}`;
  }
  const message = await render(compose(data, ctx), names.get(email.recipientId) ?? null);
  const from = { email: env.MAIL_FROM, name: "Oscillation" };
  let messageId: string;
  try {
    ({ messageId } = await env.EMAIL.send({ from, to: email.address, subject: message.subject, text: message.text, html: message.html, headers }));
  } catch (error) {
    const code = codeOf(error);
    const fields = { key: email.key, kind: email.kind, attempts: email.attempts + 1, code, error: String(error) };
    if ((code !== null && PERMANENT.has(code)) || email.attempts + 1 >= MAX_ATTEMPTS) {
      log.error("email not sent; given up", fields);
      await db.update(emails).set({ state: "failed", claimedAt: null, error: code ?? String(error).slice(0, 200) }).where(eq(emails.key, email.key));
      return "failed";
    }
    log.warn("email not sent; will retry", fields);
    // Released at once: nothing went out, so the next run may send it without waiting for the lease.
    await db.update(emails).set({ state: "pending", claimedAt: null }).where(eq(emails.key, email.key));
    if (code !== null && BACK_OFF.has(code)) throw new BackOff(code);
    return "retried";
  }
  const sentAt = Date.now();
  // A reset link's token is not kept in the log once sent, not even sealed: only the recipient's mailbox has it.
  await db.batch([
    db
      .update(emails)
      .set({ state: "sent", sentAt, messageId, claimedAt: null, error: null, ...(data.kind === "password_reset" ? { data: JSON.stringify({ ...data, sealedToken: "" }) } : {}) })
      .where(eq(emails.key, email.key)),
    ...(env.MAILBOX_CAPTURE === "1"
      ? [
          db.insert(devMailbox).values({
            emailKey: email.key,
            kind: email.kind,
            from: `${from.name} <${from.email}>`,
            to: email.address,
            subject: message.subject,
            text: message.text,
            html: message.html,
            headers: JSON.stringify(headers),
            messageId,
            sentAt: new Date(sentAt).toISOString(),
          }),
        ]
      : []),
  ]);
  log.info("email sent", { key: email.key, kind: email.kind, messageId, ms: sentAt - now });
  return "sent";
}

class BackOff extends Error {}

/**
 * Sends what is due, in rounds of a few at a time, until nothing is left or `budgetMs` has
 * passed (the rest waits for the next run). Emails whose recipient has no address yet are
 * left pending; the run after their `contact_updated` sends them.
 */
export async function sendDue(env: Env, { budgetMs = 20_000, limit = 50 } = {}): Promise<RunResult> {
  const db = database(env);
  const started = Date.now();
  const result: RunResult = { sent: 0, failed: 0, retried: 0, cancelled: 0, expired: await expire(db, started) };
  const skipped = new Set<string>();
  try {
    while (Date.now() - started < budgetMs) {
      const now = Date.now();
      const batch = (await due(db, now, limit)).filter((e) => !skipped.has(e.key));
      if (batch.length === 0) break;
      for (let i = 0; i < batch.length && Date.now() - started < budgetMs; i += CHUNK) {
        const chunk = batch.slice(i, i + CHUNK);
        const claimed = (await Promise.all(chunk.map(async (e) => ((await claim(db, e, now)) ? e : null)))).filter((e) => e !== null);
        const names = await namesOf(db, claimed.flatMap((e) => [e.recipientId, ...buyerOf(e)]));
        const outcomes = await Promise.allSettled(claimed.map((e) => deliver(env, db, e, names, now)));
        for (const [j, outcome] of outcomes.entries()) {
          if (outcome.status === "fulfilled") {
            result[outcome.value]++;
            if (outcome.value === "retried") skipped.add(claimed[j]!.key);
          } else if (outcome.reason instanceof BackOff) {
            throw outcome.reason;
          } else {
            // A D1 failure after the send: the claim stays and lapses after the lease.
            log.error("email outcome not recorded", { key: claimed[j]!.key, error: String(outcome.reason) });
            skipped.add(claimed[j]!.key);
          }
        }
        // Chunk members another sender claimed first are its to finish.
        for (const e of chunk) if (!claimed.includes(e)) skipped.add(e.key);
      }
    }
  } catch (error) {
    if (!(error instanceof BackOff)) throw error;
    log.warn("email service asks to slow down; the rest waits for the next run", { code: error.message });
  }
  return result;
}

const buyerOf = (email: Due) => {
  const data = JSON.parse(email.data) as EmailData;
  return data.kind === "sold" || data.kind === "feedback" ? [data.buyerId] : [];
};

/**
 * Emails still waiting for an address after `ADDRESS_WAIT_MS` are given up (their
 * recipient never got one to notifications), so the queue of pending emails stays short.
 */
export const unaddressed = (db: Database, now: number) =>
  db
    .update(emails)
    .set({ state: "failed", error: "no address" })
    .where(
      and(
        UNSENT,
        eq(emails.state, "pending"),
        lt(emails.createdAt, now - ADDRESS_WAIT_MS),
        sql`not exists (select 1 from ${contacts} where ${contacts.userId} = ${emails.recipientId})`,
      ),
    );

export async function giveUpUnaddressed(env: Env, now = Date.now()) {
  return (await unaddressed(database(env), now)).meta.changes;
}
