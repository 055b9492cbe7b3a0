import { SignJWT, jwtVerify } from "jose";
import { derivedKeys, keyNamedIn } from "../../shared/src/key-ring";

/**
 * Unsubscribe links: a want's id signed into a token, so the link deletes that one want
 * without signing in and cannot be made up for anyone else's. Signed with HS256 under a key
 * derived from `JWT_SECRET` (HKDF, its own label), so no new secret needs configuring and a
 * session key never signs one: a session token is not an unsubscribe token or the reverse.
 * Comma-separated secrets rotate as sessions do: the first signs, every one verifies. Tokens
 * do not expire: a link in an old email still works, and deleting a want twice is harmless.
 */

const AUDIENCE = "oscillation:unsubscribe";
const ALG = "HS256";

const keys = (secret: string) => derivedKeys(secret, AUDIENCE, { name: "HMAC", hash: "SHA-256", length: 256 }, ["sign", "verify"]);

/** A token naming want `wantId` of user `userId`. */
export async function unsubscribeToken(want: { id: string; userId: string }, secret: string): Promise<string> {
  const [current] = await keys(secret);
  return new SignJWT({ uid: want.userId })
    .setProtectedHeader({ alg: ALG, kid: current!.kid })
    .setSubject(want.id)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .sign(current!.key);
}

/** The want a token names, or `null` for anything forged, altered or malformed. */
export async function readUnsubscribeToken(token: string, secret: string): Promise<{ wantId: string; userId: string } | null> {
  const all = await keys(secret);
  try {
    const { payload } = await jwtVerify(token, keyNamedIn(all), { algorithms: [ALG], audience: AUDIENCE, requiredClaims: ["sub"] });
    if (typeof payload.sub !== "string" || typeof payload.uid !== "string") return null;
    return { wantId: payload.sub, userId: payload.uid };
  } catch {
    return null;
  }
}
