import { createHash, createHmac } from "node:crypto";
import { inject } from "vitest";

/**
 * Session tokens no one should be able to use, for a given user: forged, tampered,
 * expired, unsigned, signed the wrong way. The expired and re-signed ones are made with
 * the real secret (from the system's settings), so only the claim or algorithm is wrong.
 */

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");
const json = (value: unknown) => b64(JSON.stringify(value));

// The first comma-separated secret signs (workers/shared/src/session.ts).
const secret = inject("jwtSecret").split(",")[0]!.trim();
/** The key id the service derives from a secret: the first 12 characters of its SHA-256, base64url. */
const kidOf = (s: string) => b64(createHash("sha256").update(s).digest()).slice(0, 12);

function sign(header: Record<string, unknown>, payload: Record<string, unknown>, key = secret, algorithm = "sha256") {
  const input = `${json(header)}.${json(payload)}`;
  return `${input}.${b64(createHmac(algorithm, key).update(input).digest())}`;
}

const now = () => Math.floor(Date.now() / 1000);

type Signed = { id: string; username: string; cookie: string };

/** The session id of a signed-in account's cookie: a token names its session, which auth must have started. */
const sessionIdOf = (user: Signed) => JSON.parse(Buffer.from(user.cookie.split(".")[1]!, "base64url").toString()).sid as string;

/** A token the service itself would accept: the control that the forgeries differ only in what they claim. */
export const validToken = (user: Signed, sid = sessionIdOf(user)) =>
  sign({ alg: "HS256", kid: kidOf(secret), typ: "JWT" }, { sub: user.id, sid, username: user.username, iat: now(), exp: now() + 3600 });

export function badTokens(user: Signed, realToken: string, other: Signed): [string, string][] {
  const header = { alg: "HS256", kid: kidOf(secret), typ: "JWT" };
  const claims = { sub: user.id, sid: sessionIdOf(user), username: user.username, iat: now(), exp: now() + 3600 };
  const [h, p, s] = realToken.split(".") as [string, string, string];
  const flipped = `${s.slice(0, -2)}${s.at(-2) === "A" ? "B" : "A"}${s.at(-1)}`;
  return [
    ["a tampered signature", `${h}.${p}.${flipped}`],
    ["another user's claims under the real signature", `${h}.${json({ ...JSON.parse(Buffer.from(p, "base64url").toString()), sub: other.id, sid: sessionIdOf(other), username: other.username })}.${s}`],
    ["no signature", `${h}.${p}.`],
    ["expired an hour ago, correctly signed", sign(header, { ...claims, iat: now() - 7200, exp: now() - 3600 })],
    ["alg none", `${json({ alg: "none", typ: "JWT" })}.${json(claims)}.`],
    ["alg none with the right key id", `${json({ alg: "none", kid: kidOf(secret), typ: "JWT" })}.${json(claims)}.`],
    ["HS512 with the real secret", sign({ ...header, alg: "HS512" }, claims, secret, "sha512")],
    ["HS256 with another secret", sign(header, claims, "not-the-secret")],
    ["an unknown key id", sign({ ...header, kid: "unknownkid00" }, claims)],
    ["no expiry, correctly signed", sign(header, { sub: user.id, sid: claims.sid, username: user.username, iat: now() })],
    ["no subject, correctly signed", sign(header, { sid: claims.sid, username: user.username, iat: now(), exp: now() + 3600 })],
    // As every token issued before sessions were kept: an email, no session.
    ["no session id, correctly signed", sign(header, { sub: user.id, email: "someone@example.com", iat: now(), exp: now() + 3600 })],
    ["an empty session id, correctly signed", sign(header, { ...claims, sid: "" })],
    ["no username, correctly signed", sign(header, { ...claims, username: undefined })],
    ["a numeric subject, correctly signed", sign(header, { ...claims, sub: 12345 })],
    ["three dots of nothing", ".."],
    ["not a token at all", "garbage"],
    ["8 KB of base64", "A".repeat(8192)],
  ];
}
