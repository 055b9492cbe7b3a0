// Session cookies for many buyers, signed the way workers/shared/src/session.ts signs them
// (HS256 with the first JWT_SECRET, `kid` a digest of it), so a load can spread its orders
// over as many buyers as a real drop has without signing each one up (100,000 PBKDF2
// iterations apiece). The services only verify the token; no account needs to exist.
import { SignJWT, base64url } from "jose";

/** `count` cookies `session=…`, each for a buyer of its own, valid for `ttlSeconds`. */
export async function buyerCookies(secret, count, { prefix = "bench-buyer", ttlSeconds = 3600 } = {}) {
  const raw = new TextEncoder().encode(secret.split(",")[0].trim());
  const kid = base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", raw))).slice(0, 12);
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const cookies = [];
  for (let i = 0; i < count; i++) {
    const id = crypto.randomUUID();
    // The claims signSession writes: a session id (never revoked) and a username.
    const token = await new SignJWT({ sid: crypto.randomUUID(), username: `${prefix}-${id.slice(0, 8)}` })
      .setProtectedHeader({ alg: "HS256", kid, typ: "JWT" })
      .setSubject(id)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);
    cookies.push(`session=${token}`);
  }
  return cookies;
}
