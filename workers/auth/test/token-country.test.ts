import { describe, expect, it } from "vitest";
import {
  changePassword,
  decodePayload,
  outboxEvents,
  patchProfile,
  post,
  sessionCookie,
  signin,
  signup,
  tokenOf,
  tokenUser,
  type UserBody,
} from "./client";

const PASSWORD = "correct horse battery";

/** A new account, signed in once: its cookie and what sign-up answered. */
async function account(prefix: string) {
  const res = await signup(`${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`, PASSWORD);
  const user = await res.json<UserBody>();
  return { ...user, cookie: sessionCookie(res) };
}

const tokenClaims = (cookie: string) => decodePayload(cookie.slice("session=".length));

describe("the profile's country in the session token", () => {
  it("is absent at sign-up, when the profile names none", async () => {
    const me = await account("none");
    expect(tokenOf(me.cookie).country).toBeNull();
    expect(tokenClaims(me.cookie)).not.toHaveProperty("country");
  });

  it("is the account's country in a token from sign-in", async () => {
    const me = await account("signin");
    expect((await patchProfile({ country: "DE" }, me.cookie)).status).toBe(200);
    const res = await signin(me.email, PASSWORD);
    expect(res.status).toBe(200);
    expect(tokenUser(res)).toMatchObject({ id: me.id, username: me.username, country: "DE" });
  });

  it("is the account's country in the fresh session of a password change", async () => {
    const me = await account("password");
    await patchProfile({ country: "SE" }, me.cookie);
    const res = await changePassword({ currentPassword: PASSWORD, newPassword: "a second password" }, me.cookie);
    expect(res.status).toBe(200);
    expect(tokenUser(res).country).toBe("SE");
  });

  it("is the account's country in the session a password reset starts", async () => {
    const me = await account("reset");
    await patchProfile({ country: "CA" }, me.cookie);
    expect((await post("password-reset", { email: me.email })).status).toBe(202);
    const [requested] = (await outboxEvents("password_reset_requested")).filter((r) => (r.event.data as { userId: string }).userId === me.id);
    const { token } = requested!.event.data as { token: string };
    const res = await post("password-reset/confirm", { token, newPassword: "a reset password" });
    expect(res.status).toBe(200);
    expect(tokenUser(res)).toMatchObject({ id: me.id, country: "CA" });
  });
});
