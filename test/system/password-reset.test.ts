import { describe, expect, it } from "vitest";
import { newClientAddress } from "../support/client-address.mjs";
import { api, base, eventually, signUp } from "./client";

type Message = { id: number; to: string; kind: string; subject: string; text: string; html: string };

/** The local mailbox's messages for `to`, newest first. */
async function mailbox(to: string): Promise<Message[]> {
  const res = await api(`/_dev/mailbox/messages?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

const requestReset = (email: string) =>
  api("/api/users/password-reset", { method: "POST", json: { email }, headers: { "cf-connecting-ip": newClientAddress() } });

const signIn = (email: string, password: string) =>
  api("/api/users/signin", { method: "POST", json: { email, password }, headers: { "cf-connecting-ip": newClientAddress() } });

const whoAmI = async (cookie: string) =>
  ((await (await api("/api/users/currentuser", { cookie })).json()) as { currentUser: { id: string } | null }).currentUser;

/** A page form posted as a browser without JavaScript posts it. */
const postForm = (path: string, fields: Record<string, string>, cookie?: string) =>
  api(path, {
    method: "POST",
    cookie,
    headers: { origin: base, "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": newClientAddress() },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

const SAME_ANSWER = "If an account exists for that email, we sent a link to reset the password. It works once, for 30 minutes.";

describe("forgot password, through the public origin", () => {
  it("emails a link that sets a new password once, signs in, and ends the old session", async () => {
    const shopper = await signUp("forgetful");
    const asked = await requestReset(shopper.email);
    expect(asked.status).toBe(202);
    expect(await asked.json()).toEqual({});

    const mail = await eventually(async () => (await mailbox(shopper.email)).find((m) => m.kind === "password_reset"), 15_000);
    expect(mail.subject).toBe("Reset your Oscillation password");
    expect(mail.text).toContain("works once, for 30 minutes");
    const link = /Choose a new password: (\S+)/.exec(mail.text)?.[1];
    expect(link).toMatch(new RegExp(`^${base}/reset-password\\?token=[A-Za-z0-9_-]{43}$`));
    const token = new URL(link!).searchParams.get("token")!;

    // The link's page is a form that works without JavaScript.
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="newPassword"');
    expect(html).toContain(`value="${token}"`);

    const confirmed = await api("/api/users/password-reset/confirm", { method: "POST", json: { token, newPassword: "a whole new groove" } });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toEqual({ id: shopper.id, email: shopper.email, username: shopper.username });
    const fresh = /session=[^;]+/.exec(confirmed.headers.get("set-cookie") ?? "")![0];
    expect((await whoAmI(fresh))?.id).toBe(shopper.id);

    expect((await signIn(shopper.email, "a whole new groove")).status).toBe(200);
    expect((await signIn(shopper.email, "needle-drop-42")).status).toBe(400);
    // The session from before the reset is over: auth refuses it, and so (within the messaging bound) does every service.
    expect(await whoAmI(shopper.cookie)).toBeNull();
    await eventually(async () => ((await api("/api/orders", { cookie: shopper.cookie })).status === 401 ? true : undefined), 15_000);

    const again = await api("/api/users/password-reset/confirm", { method: "POST", json: { token, newPassword: "yet another groove" } });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ errors: [{ field: "token", message: "This reset link is invalid or has expired" }] });
  });

  it("answers an email without an account the same, and sends nothing", async () => {
    const nobody = `nobody-${crypto.randomUUID()}@example.com`;
    const shopper = await signUp("known");
    const [unknown, known] = await Promise.all([requestReset(nobody), requestReset(shopper.email)]);
    expect([unknown.status, known.status]).toEqual([202, 202]);
    expect(await unknown.json()).toEqual(await known.json());
    await eventually(async () => ((await mailbox(shopper.email)).some((m) => m.kind === "password_reset") ? true : undefined), 15_000);
    expect(await mailbox(nobody)).toEqual([]);
  });

  it("works with the pages alone: sign-in links to it, the forgot form says the same for every email, the reset form signs in", async () => {
    const signin = await (await api("/signin")).text();
    expect(signin).toContain('href="/forgot-password"');

    const shopper = await signUp("pages");
    for (const email of [shopper.email, `nobody-${crypto.randomUUID()}@example.com`]) {
      const sent = await postForm("/forgot-password", { email });
      expect(sent.status).toBe(303);
      expect(sent.headers.get("location")).toBe("/forgot-password?sent");
    }
    expect(await (await api("/forgot-password?sent")).text()).toContain(SAME_ANSWER);
    const invalid = await postForm("/forgot-password", { email: "not an email" });
    expect(invalid.status).toBe(400);

    const mail = await eventually(async () => (await mailbox(shopper.email)).find((m) => m.kind === "password_reset"), 15_000);
    const token = new URL(/Choose a new password: (\S+)/.exec(mail.text)![1]!).searchParams.get("token")!;
    const short = await postForm("/reset-password", { token, newPassword: "short" });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("New password must be 8 to 128 characters");

    const done = await postForm("/reset-password", { token, newPassword: "spinning again 33" });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe("/account?saved=reset");
    const cookie = /session=[^;]+/.exec(done.headers.get("set-cookie") ?? "")![0];
    const account = await api("/account?saved=reset", { cookie });
    expect(account.status).toBe(200);
    expect(await account.text()).toContain("Your new password is set");

    const reused = await postForm("/reset-password", { token, newPassword: "spinning again 45" });
    expect(reused.status).toBe(400);
    const text = await reused.text();
    expect(text).toContain("This reset link is invalid or has expired");
    expect(text).toContain('href="/forgot-password"');
  });
});
