import { CompactEncrypt, compactDecrypt } from "jose";
import { derivedKeys, keyNamedIn } from "./key-ring";

/**
 * A password reset link's token on its way from auth to the email: sealed (JWE, direct
 * AES-256-GCM) under a key derived from `JWT_SECRET`, so the rows that carry it (auth's outbox,
 * the queue, notifications' email row) hold nothing that resets a password without the
 * secret. Auth seals it when the link is asked for; notifications opens it only to write the
 * email. Like the session secret, the first of `JWT_SECRET`'s secrets seals and every one opens.
 */

const LABEL = "oscillation:reset-link";
const ENC = "A256GCM";
const keys = (secret: string) => derivedKeys(secret, LABEL, { name: "AES-GCM", length: 256 }, ["encrypt", "decrypt"]);

/** `token` sealed: a compact JWE, URL-safe, about 130 characters. */
export async function sealResetToken(token: string, secret: string): Promise<string> {
  const [current] = await keys(secret);
  return new CompactEncrypt(new TextEncoder().encode(token)).setProtectedHeader({ alg: "dir", enc: ENC, kid: current!.kid }).encrypt(current!.key);
}

/** The token `sealed` carries, or null when it was sealed under no secret configured here, altered or is no JWE at all. */
export async function openResetToken(sealed: string, secret: string): Promise<string | null> {
  const all = await keys(secret);
  try {
    const { plaintext } = await compactDecrypt(sealed, keyNamedIn(all), { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: [ENC] });
    return new TextDecoder().decode(plaintext);
  } catch {
    return null;
  }
}
