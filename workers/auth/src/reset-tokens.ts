/**
 * A password reset link's token: 32 random bytes, base64url (43 characters). Auth stores
 * only its SHA-256, so whoever reads the table cannot use a link; the token itself travels
 * once, sealed, in `password_reset_requested` to notifications, which emails it.
 */
export function newResetToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The stored form of `token`: its SHA-256 in lower-case hex. */
export async function resetTokenHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
