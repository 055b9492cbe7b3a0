import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { signSession } from "../../shared/src/session";
import worker from "../src/index";
import { get, newUser, send, validVinyl, type Seller } from "./client";

/** Auth's announcement that `user`'s session ended (sign-out or password change). */
const sessionRevoked = (user: Seller) =>
  createEvent(
    "session_revoked",
    "auth",
    { sessionId: user.sessionId, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
    1,
  );

async function deliver(body: unknown) {
  const batch = createMessageBatch("catalog-events", [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  expect((await getQueueResult(batch, ctx)).retryMessages).toEqual([]);
}

describe("a session auth has ended", () => {
  it("is refused with 401 once session_revoked has been applied", async () => {
    const seller = await newUser();
    expect((await get("/api/vinyls/mine", seller)).status).toBe(200);
    await deliver(sessionRevoked(seller));
    expect((await get("/api/vinyls/mine", seller)).status).toBe(401);
    expect((await send("POST", "/api/vinyls", validVinyl(), seller)).status).toBe(401);
  });

  it("ends only that session: the same user's other sessions and other users go on", async () => {
    const seller = await newUser();
    const elsewhere = { id: seller.id, username: seller.username, sessionId: crypto.randomUUID(), country: null };
    const otherSession: Seller = { ...elsewhere, cookie: `session=${await signSession(elsewhere, env.JWT_SECRET, 3600)}` };
    const stranger = await newUser();
    await deliver(sessionRevoked(seller));
    expect((await get("/api/vinyls/mine", otherSession)).status).toBe(200);
    expect((await get("/api/vinyls/mine", stranger)).status).toBe(200);
  });

  it("stays refused when the announcement arrives twice", async () => {
    const seller = await newUser();
    const event = sessionRevoked(seller);
    await deliver(event);
    await deliver({ ...event, id: crypto.randomUUID() });
    expect((await get("/api/vinyls/mine", seller)).status).toBe(401);
  });
});
