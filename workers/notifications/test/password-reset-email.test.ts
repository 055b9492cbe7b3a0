import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createEvent } from "../../../schema/events";
import { sealResetToken } from "../../shared/src/reset-link-seal";
import { SHOP, contactUpdated, deliver, emailsFor, mailTo, profileUpdated } from "./client";

/**
 * The "Forgot password" email: auth sends the link's token, sealed, to notifications alone
 * (`password_reset_requested`), which opens it to write it to the account's address.
 */

const newToken = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The event as auth stages it, and the token its link must carry. */
async function resetRequested(userId: string, expiresAt = new Date(Date.now() + 30 * 60_000).toISOString(), secret = env.JWT_SECRET) {
  const token = newToken();
  const event = createEvent("password_reset_requested", "auth", { userId, sealedToken: await sealResetToken(token, secret), expiresAt }, 0);
  return { event, token };
}

async function person() {
  const user = { id: crypto.randomUUID(), email: `reset-${crypto.randomUUID().slice(0, 8)}@example.com` };
  await deliver([contactUpdated(user.id, user.email)]);
  return user;
}

describe("a password reset requested", () => {
  it("emails the account's address one link to /reset-password, said to work once for 30 minutes", async () => {
    const user = await person();
    const { event, token } = await resetRequested(user.id, "2099-03-04T05:36:00.000Z");
    const { result } = await deliver([event]);
    expect(result.retryMessages).toEqual([]);
    const [mail, ...more] = await mailTo(user.email);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ kind: "password_reset", subject: "Reset your Oscillation password", from: "Oscillation <notifications@oscillation.example>" });
    const link = `${SHOP}/reset-password?token=${token}`;
    expect(mail!.text).toContain(`Choose a new password: ${link}`);
    expect(mail!.text).toContain("works once, for 30 minutes: until 4 Mar 2099, 05:36 UTC");
    expect(mail!.text).toContain("If you did not ask, ignore this email");
    expect(mail!.html).toContain(`href="${link}"`);
    expect(mail!.html).toContain("works once, for 30 minutes");
  });

  it("greets the user by their public name when known", async () => {
    const user = await person();
    await deliver([profileUpdated(user.id, `reset-${user.id.slice(0, 8)}`, "Rita")]);
    await deliver([(await resetRequested(user.id)).event]);
    const [mail] = await mailTo(user.email);
    expect(mail!.text.startsWith("Hi Rita,\n\n")).toBe(true);
  });

  it("writes and sends one email when the event is delivered twice, at once or later", async () => {
    const user = await person();
    const { event } = await resetRequested(user.id);
    await Promise.all([deliver([event]), deliver([event])]);
    await deliver([event]);
    expect(await mailTo(user.email)).toHaveLength(1);
    expect(await emailsFor(user.id)).toHaveLength(1);
  });

  it("writes one email per request: two links asked for are two emails", async () => {
    const user = await person();
    const [first, second] = await Promise.all([resetRequested(user.id), resetRequested(user.id)]);
    await deliver([first.event, second.event]);
    const mails = await mailTo(user.email);
    expect(mails).toHaveLength(2);
    expect(mails.map((m) => m.text.includes(first.token))).toContain(true);
    expect(mails.map((m) => m.text.includes(second.token))).toContain(true);
  });

  it("keeps no token in the sent-message log once sent", async () => {
    const user = await person();
    const { event, token } = await resetRequested(user.id);
    await deliver([event]);
    const [row] = await emailsFor(user.id);
    expect(row!.state).toBe("sent");
    expect(row!.data).not.toContain(token);
    expect(row!.data).not.toContain(event.data.sealedToken);
  });

  it("waits for the address when the event comes first, the token still sealed, and sends it once the address arrives", async () => {
    const user = { id: crypto.randomUUID(), email: `late-${crypto.randomUUID().slice(0, 8)}@example.com` };
    const { event, token } = await resetRequested(user.id);
    await deliver([event]);
    const waiting = await emailsFor(user.id);
    expect(waiting.map((e) => e.state)).toEqual(["pending"]);
    expect(waiting[0]!.data).toContain(event.data.sealedToken);
    expect(waiting[0]!.data).not.toContain(token);
    await deliver([contactUpdated(user.id, user.email)]);
    const [mail] = await mailTo(user.email);
    expect(mail!.text).toContain(token);
  });

  it("is not sent, and given up, when its token was sealed under a secret no longer configured", async () => {
    const user = await person();
    await deliver([(await resetRequested(user.id, undefined, "a secret rotated away long ago")).event]);
    expect(await mailTo(user.email)).toEqual([]);
    const [row] = await emailsFor(user.id);
    expect(row).toMatchObject({ state: "failed", error: "unreadable reset link" });
    expect(JSON.parse(row!.data)).toMatchObject({ kind: "password_reset", sealedToken: "" });
  });

  it("is not sent once the link has expired", async () => {
    const user = await person();
    await deliver([(await resetRequested(user.id, new Date(Date.now() - 1000).toISOString())).event]);
    expect(await mailTo(user.email)).toEqual([]);
    expect((await emailsFor(user.id)).map((e) => e.state)).toEqual(["expired"]);
  });
});
