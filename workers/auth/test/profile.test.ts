import { describe, expect, it } from "vitest";
import { call, eventsFor, patchProfile, post, sessionCookie, signup, whoAmI, type AccountBody, type ErrorBody, type UserBody } from "./client";

/** A new account: its cookie and what sign-up answered. */
async function account(prefix: string) {
  const res = await signup(`${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`);
  const user = await res.json<UserBody>();
  return { ...user, cookie: sessionCookie(res) };
}

async function expectFieldError(res: Response, field: string, message: string | RegExp = /./) {
  expect(res.status).toBe(400);
  const { errors } = await res.json<ErrorBody>();
  expect(errors).toEqual([{ field, message: expect.stringMatching(message) }]);
}

describe("PATCH /api/users/currentuser", () => {
  it("sets the display name, country and bio and answers the whole account", async () => {
    const me = await account("pat");
    const res = await patchProfile({ displayName: "  Pat's Crates ", country: "DE", bio: "Krautrock, mostly.\nSome jazz." }, me.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await res.json<AccountBody>();
    expect(body).toEqual({
      id: me.id,
      email: me.email,
      username: me.username,
      displayName: "Pat's Crates",
      country: "DE",
      bio: "Krautrock, mostly.\nSome jazz.",
      memberSince: expect.any(String),
    });
    expect(await whoAmI(me.cookie)).toEqual(body);
  });

  it("keeps omitted fields, and clears a field sent as an empty string or null", async () => {
    const me = await account("kept");
    await patchProfile({ displayName: "Kept", country: "FR", bio: "A bio" }, me.cookie);
    expect(await (await patchProfile({ country: "IT" }, me.cookie)).json()).toMatchObject({ displayName: "Kept", country: "IT", bio: "A bio" });
    expect(await (await patchProfile({ displayName: "", bio: null }, me.cookie)).json()).toMatchObject({ displayName: null, country: "IT", bio: null });
    expect(await (await patchProfile({ country: "" }, me.cookie)).json()).toMatchObject({ country: null });
  });

  it("treats a blank display name or bio as cleared", async () => {
    const me = await account("blank");
    await patchProfile({ displayName: "Name", bio: "Bio" }, me.cookie);
    expect(await (await patchProfile({ displayName: "   ", bio: "\n\t" }, me.cookie)).json()).toMatchObject({ displayName: null, bio: null });
  });

  it("never changes the username", async () => {
    const me = await account("fixed");
    const res = await patchProfile({ username: "someone-else", displayName: "Fixed" }, me.cookie);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ username: me.username, displayName: "Fixed" });
  });

  it("accepts a display name of exactly 50 and a bio of exactly 500 characters", async () => {
    const me = await account("limits");
    const res = await patchProfile({ displayName: "n".repeat(50), bio: "b".repeat(500) }, me.cookie);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ displayName: "n".repeat(50), bio: "b".repeat(500) });
  });

  describe("invalid input", () => {
    it.each([
      ["a display name over 50 characters", { displayName: "n".repeat(51) }, "displayName", "Display name must be at most 50 characters"],
      ["a display name on two lines", { displayName: "two\nlines" }, "displayName", "Display name must be one line of text"],
      ["a display name that is a number", { displayName: 7 }, "displayName", "Display name must be text"],
      ["a display name with a lone surrogate", { displayName: "bad \ud800" }, "displayName", "Display name must be valid text"],
      ["a bio over 500 characters", { bio: "b".repeat(501) }, "bio", "Bio must be at most 500 characters"],
      ["a bio that is an object", { bio: { text: "hi" } }, "bio", "Bio must be text"],
      ["an unknown country code", { country: "ZZ" }, "country", "Country must be a known country code"],
      ["a country name instead of its code", { country: "Germany" }, "country", "Country must be a known country code"],
      ["a country code in lower case", { country: "de" }, "country", "Country must be a known country code"],
      ["a country code with spaces", { country: " DE " }, "country", "Country must be a known country code"],
      ["a country that is a number", { country: 49 }, "country", "Country must be a country code"],
    ])("answers 400 on the field for %s, and changes nothing", async (_, body, field, message) => {
      const me = await account("invalid");
      await patchProfile({ displayName: "Before", country: "NL", bio: "Before" }, me.cookie);
      await expectFieldError(await patchProfile({ ...body }, me.cookie), field, message);
      expect(await whoAmI(me.cookie)).toMatchObject({ displayName: "Before", country: "NL", bio: "Before" });
    });

    it("answers one entry per failing field", async () => {
      const me = await account("many");
      const res = await patchProfile({ displayName: "n".repeat(51), country: "XX", bio: "b".repeat(501) }, me.cookie);
      expect(res.status).toBe(400);
      const { errors } = await res.json<ErrorBody>();
      expect(errors.map((e) => e.field).sort()).toEqual(["bio", "country", "displayName"]);
    });

    it("answers 400 without a field when the body is JSON but not an object", async () => {
      const me = await account("shape");
      for (const body of [null, [], "text", 1]) {
        const res = await patchProfile(body, me.cookie);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ errors: [{ message: "Request body must be a JSON object" }] });
      }
    });

    it("answers 415 to a body that is not JSON", async () => {
      const me = await account("form");
      const res = await call("/api/users/currentuser", {
        method: "PATCH",
        headers: { cookie: me.cookie, "content-type": "application/x-www-form-urlencoded" },
        body: "displayName=Form",
      });
      expect(res.status).toBe(415);
    });
  });

  it("answers 401 to an anonymous caller", async () => {
    const res = await patchProfile({ displayName: "Nobody" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: [{ message: "You must be signed in" }] });
  });

  it("answers 401 to a session that was signed out", async () => {
    const me = await account("gone");
    await post("signout", undefined, { cookie: me.cookie });
    expect((await patchProfile({ displayName: "Ghost" }, me.cookie)).status).toBe(401);
  });

  it("refuses a cross-origin edit with 403", async () => {
    const me = await account("csrf");
    const res = await call("/api/users/currentuser", {
      method: "PATCH",
      headers: { cookie: me.cookie, "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ displayName: "Pwned" }),
    });
    expect(res.status).toBe(403);
    expect((await whoAmI(me.cookie))!.displayName).toBeNull();
  });
});

describe("profile_updated", () => {
  it("is staged at sign-up with version 0, for catalog and orders", async () => {
    const me = await account("born");
    const [event, ...more] = await eventsFor("profile_updated", me.id);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      type: "profile_updated",
      source: "auth",
      version: 0,
      data: { userId: me.id, username: me.username, displayName: null, country: null, memberSince: (await whoAmI(me.cookie))!.memberSince },
    });
  });

  it("is staged by every change with the profile's version + 1, carrying the new public fields", async () => {
    const me = await account("moves");
    await patchProfile({ displayName: "One", country: "SE" }, me.cookie);
    await patchProfile({ bio: "Only the bio changes" }, me.cookie);
    await patchProfile({ country: null }, me.cookie);
    const events = await eventsFor("profile_updated", me.id);
    expect(events.map((e) => [e.version, e.data])).toEqual([
      [0, expect.objectContaining({ displayName: null, country: null })],
      [1, expect.objectContaining({ displayName: "One", country: "SE" })],
      [2, expect.objectContaining({ displayName: "One", country: "SE" })],
      [3, expect.objectContaining({ displayName: "One", country: null })],
    ]);
  });

  it("is not staged, and the version stays, when nothing changes", async () => {
    const me = await account("same");
    await patchProfile({ displayName: "Same", country: "PT" }, me.cookie);
    await patchProfile({ displayName: " Same ", country: "PT" }, me.cookie);
    await patchProfile({}, me.cookie);
    expect((await eventsFor("profile_updated", me.id)).map((e) => e.version)).toEqual([0, 1]);
  });

  it("carries neither the email address nor the bio", async () => {
    const me = await account("private");
    await patchProfile({ displayName: "Public Name", bio: "secret-ish bio" }, me.cookie);
    for (const event of await eventsFor("profile_updated", me.id)) {
      expect(Object.keys(event.data).sort()).toEqual(["country", "displayName", "memberSince", "userId", "username"]);
      expect(JSON.stringify(event)).not.toContain(me.email);
      expect(JSON.stringify(event)).not.toContain("secret-ish bio");
    }
  });
});
