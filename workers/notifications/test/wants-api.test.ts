import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { MAX_WANTS } from "../src/routes/wants";
import { unsubscribeToken } from "../src/unsubscribe";
import { call, deliver, expectError, newUser, send, type ErrorBody, type User } from "./client";

type Want = { id: string; q: string | null; artist: string | null; genre: string | null; condition: string | null; maxPrice: number | null; createdAt: string };

async function save(user: User, body: unknown, status = 201) {
  const res = await send("POST", "/api/wants", body, user);
  expect(res.status, await res.clone().text()).toBe(status);
  return res.json<Want>();
}

const list = async (user: User) => {
  const res = await send("GET", "/api/wants", undefined, user);
  expect(res.status).toBe(200);
  return res.json<Want[]>();
};

describe("POST /api/wants", () => {
  it("saves a want with every criterion and answers it, 201 with its Location", async () => {
    const user = await newUser();
    const res = await send("POST", "/api/wants", { q: "  kind of blue ", artist: "Miles Davis", genre: "Jazz", condition: "VG+", maxPrice: 40.5 }, user);
    expect(res.status).toBe(201);
    const want = await res.json<Want>();
    expect(want).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      q: "kind of blue",
      artist: "Miles Davis",
      genre: "Jazz",
      condition: "VG+",
      maxPrice: 40.5,
      createdAt: expect.any(String),
    });
    expect(res.headers.get("location")).toBe(`/api/wants/${want.id}`);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });

  it("takes blank and null fields as none, as a form sends them", async () => {
    const user = await newUser();
    const want = await save(user, { q: "", artist: null, genre: "Soul", condition: "", maxPrice: "" });
    expect(want).toMatchObject({ q: null, artist: null, genre: "Soul", condition: null, maxPrice: null });
  });

  it("answers the saved want, 200, when the same want is saved again (case and spacing aside)", async () => {
    const user = await newUser();
    const first = await save(user, { q: "Blue Train", genre: "Jazz" });
    const again = await save(user, { q: "  blue   TRAIN ", genre: "Jazz" }, 200);
    expect(again.id).toBe(first.id);
    expect(await list(user)).toHaveLength(1);
  });

  it.each([
    [{ q: "x".repeat(201) }, "q", "Search text must be at most 200 characters"],
    [{ q: "!!! ???" }, "q", "Search text must contain letters or digits"],
    [{ q: 42 }, "q", "Search text must be text"],
    [{ q: "\ud800" }, "q", "Search text must be valid text"],
    [{ artist: "y".repeat(201) }, "artist", "Artist must be at most 200 characters"],
    [{ artist: "---" }, "artist", "Artist must contain letters or digits"],
    [{ genre: "Polka" }, "genre", "Genre must be one of the shop's genres"],
    [{ genre: "Jazz", condition: "Mint" }, "condition", "Condition must be one of: M, NM, VG+, VG, G+, G, F, P"],
    [{ genre: "Jazz", maxPrice: 0 }, "maxPrice", "Maximum price must be greater than 0"],
    [{ genre: "Jazz", maxPrice: -5 }, "maxPrice", "Maximum price must be greater than 0"],
    [{ genre: "Jazz", maxPrice: 100_000.01 }, "maxPrice", "Maximum price must be at most 100000"],
    [{ genre: "Jazz", maxPrice: 9.999 }, "maxPrice", "Maximum price must have at most 2 decimal places"],
    [{ genre: "Jazz", maxPrice: "20" }, "maxPrice", "Maximum price must be a number"],
  ])("refuses %j with 400 on its field", async (body, field, message) => {
    const user = await newUser();
    const res = await send("POST", "/api/wants", body, user);
    const { errors } = await expectError(res, 400);
    expect(errors).toContainEqual({ field, message });
    expect(await list(user)).toEqual([]);
  });

  it.each([[{}], [{ condition: "NM", maxPrice: 20 }], [{ q: "", artist: "", genre: "" }]])(
    "refuses a want without words, an artist or a genre (%j): it would match nearly everything",
    async (body) => {
      const user = await newUser();
      const res = await send("POST", "/api/wants", body, user);
      expect(await res.json<ErrorBody>()).toEqual({ errors: [{ message: "A want needs search words, an artist or a genre" }] });
      expect(res.status).toBe(400);
    },
  );

  it("refuses a body that is not a JSON object", async () => {
    const user = await newUser();
    await expectError(await send("POST", "/api/wants", [1, 2], user), 400);
    await expectError(await call("/api/wants", { method: "POST", headers: { cookie: user.cookie, "content-type": "application/json" }, body: "{" }), 400);
    await expectError(await call("/api/wants", { method: "POST", headers: { cookie: user.cookie, "content-type": "text/plain" }, body: "q=miles" }), 415);
  });

  it("refuses a want from someone not signed in, 401", async () => {
    await expectError(await send("POST", "/api/wants", { genre: "Jazz" }), 401, "You must be signed in");
  });

  it(`keeps at most ${MAX_WANTS} wants per user: the next is 409, even when many arrive at once`, async () => {
    const user = await newUser();
    const results = await Promise.all(Array.from({ length: MAX_WANTS + 5 }, (_, i) => send("POST", "/api/wants", { q: `want${i}` }, user)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_WANTS);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    const refused = results.find((r) => r.status === 409)!;
    expect(await refused.json<ErrorBody>()).toEqual({ errors: [{ message: `You can keep at most ${MAX_WANTS} wants` }] });
    expect(await list(user)).toHaveLength(MAX_WANTS);
    // A want already saved is still answered.
    await save(user, { q: "want0" }, 200);
  });

  it("refuses a state-changing request from another origin, 403", async () => {
    const user = await newUser();
    const res = await call("/api/wants", {
      method: "POST",
      headers: { cookie: user.cookie, "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ genre: "Jazz" }),
    });
    await expectError(res, 403);
  });
});

describe("GET /api/wants", () => {
  it("lists the caller's wants only, newest first", async () => {
    const [user, other] = [await newUser(), await newUser()];
    const a = await save(user, { q: "first" });
    const b = await save(user, { q: "second" });
    await save(other, { q: "someone else's" });
    expect((await list(user)).map((w) => w.id)).toEqual([b.id, a.id]);
  });

  it("is 401 without a session, and for a session ended early (auth's session_revoked)", async () => {
    await expectError(await send("GET", "/api/wants"), 401);
    const user = await newUser();
    const { id, sessionId } = user;
    expect((await send("GET", "/api/wants", undefined, user)).status).toBe(200);
    await deliver([createEvent("session_revoked", "auth", { sessionId, userId: id, expiresAt: new Date(Date.now() + 3600_000).toISOString() }, 0)]);
    await expectError(await send("GET", "/api/wants", undefined, user), 401);
  });
});

describe("DELETE /api/wants/:id", () => {
  it("deletes one's own want, 204", async () => {
    const user = await newUser();
    const want = await save(user, { genre: "Funk" });
    expect((await send("DELETE", `/api/wants/${want.id}`, undefined, user)).status).toBe(204);
    expect(await list(user)).toEqual([]);
  });

  it("is 404 for an unknown or malformed id, or one already deleted", async () => {
    const user = await newUser();
    const want = await save(user, { genre: "Funk" });
    await send("DELETE", `/api/wants/${want.id}`, undefined, user);
    await expectError(await send("DELETE", `/api/wants/${want.id}`, undefined, user), 404, "Want not found");
    await expectError(await send("DELETE", `/api/wants/${crypto.randomUUID()}`, undefined, user), 404, "Want not found");
    await expectError(await send("DELETE", "/api/wants/not-an-id", undefined, user), 404, "Want not found");
  });

  it("is 403 for someone else's want, which stays", async () => {
    const [owner, other] = [await newUser(), await newUser()];
    const want = await save(owner, { genre: "Funk" });
    await expectError(await send("DELETE", `/api/wants/${want.id}`, undefined, other), 403, "You can only delete your own wants");
    expect(await list(owner)).toHaveLength(1);
  });

  it("is 401 without a session", async () => {
    await expectError(await send("DELETE", `/api/wants/${crypto.randomUUID()}`), 401);
  });
});

describe("unsubscribe links", () => {
  const link = (token: string) => `/api/wants/unsubscribe?token=${encodeURIComponent(token)}`;

  it("name their want without signing in, and delete it with a POST", async () => {
    const user = await newUser();
    const want = await save(user, { q: "coltrane", genre: "Jazz" });
    const token = await unsubscribeToken({ id: want.id, userId: user.id }, env.JWT_SECRET);
    const shown = await call(link(token));
    expect(shown.status).toBe(200);
    expect(await shown.json()).toEqual({ want });
    const res = await call(link(token), { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(await list(user)).toEqual([]);
    expect(await (await call(link(token))).json()).toEqual({ want: null });
  });

  it("accept a mail client's one-click POST (RFC 8058), and a second click changes nothing", async () => {
    const user = await newUser();
    const [keep, drop] = [await save(user, { genre: "Jazz" }), await save(user, { genre: "Soul" })];
    const token = await unsubscribeToken({ id: drop.id, userId: user.id }, env.JWT_SECRET);
    const oneClick = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" };
    expect((await call(link(token), oneClick)).status).toBe(200);
    expect((await call(link(token), oneClick)).status).toBe(200);
    expect((await list(user)).map((w) => w.id)).toEqual([keep.id]);
  });

  it.each([
    ["missing", "/api/wants/unsubscribe", "token is required"],
    ["not a token", "/api/wants/unsubscribe?token=nonsense", "This unsubscribe link is not valid"],
  ])("are refused, 400, when the token is %s", async (_, path, message) => {
    const res = await call(path, { method: "POST" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message, field: "token" }] });
  });

  it("cannot be altered to name someone else's want, nor made from a session token", async () => {
    const [victim, attacker] = [await newUser(), await newUser()];
    const want = await save(victim, { genre: "Jazz" });
    const own = await unsubscribeToken({ id: crypto.randomUUID(), userId: attacker.id }, env.JWT_SECRET);
    const [header, , signature] = own.split(".");
    const forgedPayload = btoa(JSON.stringify({ uid: victim.id, sub: want.id, aud: "oscillation:unsubscribe" })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    await expectError(await call(link(`${header}.${forgedPayload}.${signature}`), { method: "POST" }), 400);
    const session = attacker.cookie.slice("session=".length);
    await expectError(await call(link(session), { method: "POST" }), 400);
    // Signed for another user: it names no want of theirs, so nothing is deleted.
    const mismatched = await unsubscribeToken({ id: want.id, userId: attacker.id }, env.JWT_SECRET);
    expect((await call(link(mismatched), { method: "POST" })).status).toBe(200);
    expect(await list(victim)).toHaveLength(1);
  });

  it("signed under a previous secret still work while it is listed second", async () => {
    const user = await newUser();
    const want = await save(user, { genre: "Jazz" });
    const old = await unsubscribeToken({ id: want.id, userId: user.id }, env.JWT_SECRET);
    const rotated = { ...env, JWT_SECRET: `a-brand-new-secret,${env.JWT_SECRET}` } as Env;
    expect((await call(link(old), { method: "POST" }, rotated)).status).toBe(200);
    expect(await list(user)).toEqual([]);
  });
});
