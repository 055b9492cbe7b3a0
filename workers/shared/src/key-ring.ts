import { base64url } from "jose";

/** A key made from one of `JWT_SECRET`'s secrets, named by `kid` so a token says which one made it. */
export type NamedKey = { kid: string; key: CryptoKey };

const rings = new Map<string, Promise<NamedKey[]>>();

/** A key's name: the first 12 characters of the base64url SHA-256 of `bytes`, so no key id needs configuring. */
export async function kidOf(bytes: Uint8Array): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))).slice(0, 12);
}

/**
 * The keys of one use, one per comma-separated secret of `JWT_SECRET`, in order: the first
 * makes new tokens, every one reads them. To rotate, put the new secret first and keep the
 * old one after it until nothing made under it is still in use. `make` turns one secret into
 * its key; each is made once per isolate.
 */
export function keyRing(use: string, secret: string, make: (secret: string) => Promise<NamedKey>): Promise<NamedKey[]> {
  const cacheKey = `${use}\u0000${secret}`;
  let ring = rings.get(cacheKey);
  if (!ring) {
    const secrets = secret.split(",").map((s) => s.trim()).filter(Boolean);
    if (secrets.length === 0) throw new Error("JWT_SECRET is empty");
    ring = Promise.all(secrets.map(make));
    rings.set(cacheKey, ring);
  }
  return ring;
}

/** For jose: the key of `ring` a token's header names; any other name fails the token. */
export const keyNamedIn =
  (ring: readonly NamedKey[]) =>
  (header: { kid?: string }): CryptoKey => {
    const match = ring.find((k) => k.kid === header.kid);
    if (!match) throw new Error("unknown key id");
    return match.key;
  };

/** What a derived key is for: `{ name: "HMAC", hash: "SHA-256", length: 256 }`, `{ name: "AES-GCM", length: 256 }`. */
type Algorithm = { name: string; hash?: string; length: number };

/**
 * Keys for one use (`label`) derived by HKDF-SHA-256 from each secret, so a rotation of the
 * session secret rotates these too and no other secret needs configuring. The label keeps
 * uses apart: a key made for one never verifies or opens a token made for another, nor a
 * session.
 */
export function derivedKeys(secret: string, label: string, algorithm: Algorithm, usages: string[]): Promise<NamedKey[]> {
  return keyRing(label, secret, async (s) => {
    const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(s), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new TextEncoder().encode(label) },
      base,
      algorithm,
      true,
      usages,
    );
    return { kid: await kidOf(new Uint8Array((await crypto.subtle.exportKey("raw", key)) as ArrayBuffer)), key };
  });
}
