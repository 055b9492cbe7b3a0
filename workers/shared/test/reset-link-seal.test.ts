import { describe, expect, it } from "vitest";
import { passwordResetRequestedData } from "../../../schema/events";
import { openResetToken, sealResetToken } from "../src/reset-link-seal";
import { signSession, verifySession } from "../src/session";

const TOKEN = "q3JcJ1y0Zt2Hh3mN4bXQ8hC6n2oYkzV7wWcT5iP0aEs";

describe("a reset link's sealed token", () => {
  it("hides the token, fits the event, and opens to it under the same secret", async () => {
    const sealed = await sealResetToken(TOKEN, "s1");
    expect(sealed).not.toContain(TOKEN);
    expect(passwordResetRequestedData.safeParse({ userId: crypto.randomUUID(), sealedToken: sealed, expiresAt: new Date().toISOString() }).success).toBe(true);
    expect(await openResetToken(sealed, "s1")).toBe(TOKEN);
  });

  it("is sealed afresh each time: two seals of one token differ", async () => {
    expect(await sealResetToken(TOKEN, "s1")).not.toBe(await sealResetToken(TOKEN, "s1"));
  });

  it("still opens after a rotation, the old secret listed second; seals under the first", async () => {
    const before = await sealResetToken(TOKEN, "old");
    expect(await openResetToken(before, "new,old")).toBe(TOKEN);
    const after = await sealResetToken(TOKEN, "new,old");
    expect(await openResetToken(after, "new")).toBe(TOKEN);
    expect(await openResetToken(after, "old")).toBeNull();
  });

  it("does not open under another secret, altered, or when it is no seal at all", async () => {
    const sealed = await sealResetToken(TOKEN, "s1");
    expect(await openResetToken(sealed, "s2")).toBeNull();
    const [header, key, iv, text, tag] = sealed.split(".");
    const flipped = `${text!.slice(0, -2)}${text!.at(-2) === "A" ? "B" : "A"}${text!.at(-1)}`;
    expect(await openResetToken([header, key, iv, flipped, tag].join("."), "s1")).toBeNull();
    expect(await openResetToken(TOKEN, "s1")).toBeNull();
    expect(await openResetToken("", "s1")).toBeNull();
  });

  it("is a key of its own: a session token under the same secret does not open, and a seal is no session", async () => {
    const session = await signSession({ id: crypto.randomUUID(), username: "zed", sessionId: crypto.randomUUID(), country: null }, "s1", 3600);
    expect(await openResetToken(session, "s1")).toBeNull();
    expect(await verifySession(await sealResetToken(TOKEN, "s1"), "s1")).toBeNull();
  });
});
