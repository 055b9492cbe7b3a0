import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { dueQuery, expiring, unaddressed } from "../src/mailer";
import { db } from "./client";

/**
 * The emails table is the sent-message log and only grows: every query a send run makes
 * must read the unsent emails' partial index, never the log.
 */
async function plan(query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql, params } = query.toSQL();
  const { results } = await env.NOTIFICATIONS_DB.prepare(`explain query plan ${sql}`).bind(...params).all<{ detail: string }>();
  return results.map((r) => r.detail).join("\n");
}

describe("the sender's queries", () => {
  it.each([
    ["the emails due", () => dueQuery(db, Date.now(), 50)],
    ["the emails past their time", () => expiring(db, Date.now())],
    ["the emails that never got an address", () => unaddressed(db, Date.now())],
  ])("%s read the unsent emails' index, not the log", async (_, query) => {
    const details = await plan(query());
    expect(details).toMatch(/emails USING INDEX emails_unsent/);
    expect(details).not.toMatch(/SCAN emails\b(?! USING)/);
  });
});
