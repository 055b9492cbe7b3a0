import { base64url } from "jose";

/** A key derived from one of `JWT_SECRET`'s secrets, named by `kid` so a token says which one made it. */
export type DerivedKey = { kid: string; key: CryptoKey };

/** What the derived key is for: `{ name: "HMAC", hash: "SHA-256", length: 256 }`, `{ name: "AES-GCM", length: 256 }`. */
type Algorithm = { name: string; hash?: string; length: number };

const cache = new Map<string, Promise<DerivedKey[]>>();

/**
 * Keys for one use (`label`), derived by HKDF-SHA-256 from each comma-separated secret of
 * `JWT_SECRET`, in order: the first makes new tokens, every one reads them, so a rotation of
 * the session secret rotates these too and no other secret needs configuring. The label keeps
 * uses apart: a key made for one never verifies or opens a token made for another, nor a
 * session. Derived once per isolate and secret.
 */
export function derivedKeys(secret: string, label: string, algorithm: Algorithm, usages: string[]): Promise<DerivedKey[]> {
  const cacheKey = `${label}\u0000${secret}`;
  let keys = cache.get(cacheKey);
  if (!keys) {
    const secrets = secret.split(",").map((s) => s.trim()).filter(Boolean);
    if (secrets.length === 0) throw new Error("JWT_SECRET is empty");
    keys = Promise.all(
      secrets.map(async (s) => {
        const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(s), "HKDF", false, ["deriveKey"]);
        const key = await crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new TextEncoder().encode(label) },
          base,
          algorithm,
          true,
          usages,
        );
        const raw = new Uint8Array((await crypto.subtle.exportKey("raw", key)) as ArrayBuffer);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", raw));
        return { kid: base64url.encode(digest).slice(0, 12), key };
      }),
    );
    cache.set(cacheKey, keys);
  }
  return keys;
}
