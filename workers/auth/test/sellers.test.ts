import { describe, expect, it } from "vitest";
import { patchProfile, seller, sessionCookie, signup, type UserBody } from "./client";

describe("GET /api/sellers/:username", () => {
  it("answers the public profile, without id or email, to anyone", async () => {
    const res0 = await signup("shop.keeper@example.com");
    const me = await res0.json<UserBody>();
    await patchProfile({ displayName: "Shop Keeper", country: "JP", bio: "City pop." }, sessionCookie(res0));
    const res = await seller("shop-keeper");
    expect(res.status).toBe(200);
    const body = await res.json<Record<string, unknown>>();
    expect(body).toEqual({
      username: "shop-keeper",
      displayName: "Shop Keeper",
      country: "JP",
      bio: "City pop.",
      memberSince: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(JSON.stringify(body)).not.toContain(me.email);
    expect(JSON.stringify(body)).not.toContain(me.id);
  });

  it("finds the seller whatever the case of the name in the URL", async () => {
    await signup("case-seller@example.com");
    const res = await seller("Case-SELLER");
    expect(res.status).toBe(200);
    expect((await res.json<{ username: string }>()).username).toBe("case-seller");
  });

  it("shows empty profile fields as null", async () => {
    await signup("bare-seller@example.com");
    expect(await (await seller("bare-seller")).json()).toMatchObject({ displayName: null, country: null, bio: null });
  });

  it.each([["nobody-here"], ["ab"], ["-bad-"], ["x".repeat(31)], ["has%20space"], ["%F0%9F%8E%B5"]])("answers 404 for %s", async (name) => {
    const res = await seller(name);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [{ message: "Seller not found" }] });
  });

  it("answers 404 for anything deeper than one segment it does not serve", async () => {
    await signup("deep-seller@example.com");
    expect((await seller("deep-seller/records")).status).toBe(404);
  });
});
