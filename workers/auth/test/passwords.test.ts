import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from "../src/password";
import { signin, signup } from "./client";

type StoredUser = { password_hash: string; password_salt: string; password_iterations: number };

const stored = (email: string) =>
  env.AUTH_DB.prepare("SELECT password_hash, password_salt, password_iterations FROM users WHERE email = ?")
    .bind(email)
    .first<StoredUser>();

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe("stored passwords", () => {
  it("keeps a PBKDF2 hash, never the password itself", async () => {
    const password = "my very secret password";
    await signup("ada@example.com", password);
    const row = (await stored("ada@example.com"))!;
    expect(row.password_hash).not.toBe(password);
    expect(row.password_hash).not.toContain(password);
    expect(row.password_salt).not.toContain(password);
    // 256 bits of hash and 128 bits of salt.
    expect(fromBase64(row.password_hash)).toHaveLength(32);
    expect(fromBase64(row.password_salt)).toHaveLength(16);
    const rowText = JSON.stringify(await env.AUTH_DB.prepare("SELECT * FROM users WHERE email = ?").bind("ada@example.com").first());
    expect(rowText).not.toContain(password);
  });

  it("stores 100000 iterations with each user", async () => {
    await signup("bo@example.com");
    expect((await stored("bo@example.com"))!.password_iterations).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
  });

  it("gives two users with the same password different salts and different hashes", async () => {
    await signup("cal@example.com", "shared password");
    await signup("dot@example.com", "shared password");
    const [cal, dot] = [(await stored("cal@example.com"))!, (await stored("dot@example.com"))!];
    expect(cal.password_salt).not.toBe(dot.password_salt);
    expect(cal.password_hash).not.toBe(dot.password_hash);
  });

  it("checks a user's password with the iteration count stored for that user", async () => {
    // An account from a time when the work factor was lower must still be able to sign in.
    const password = "an older account";
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1000 }, material, 256);
    await env.AUTH_DB.prepare(
      "INSERT INTO users (id, email, username, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(crypto.randomUUID(), "old@example.com", "old", toBase64(new Uint8Array(bits)), toBase64(salt), 1000, new Date().toISOString())
      .run();
    expect((await signin("old@example.com", password)).status).toBe(200);
    expect((await signin("old@example.com", "not it")).status).toBe(400);
  });
});

describe("hashPassword and verifyPassword", () => {
  it("verify the password that was hashed and nothing else", async () => {
    const hashed = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", hashed)).toBe(true);
    expect(await verifyPassword("correct horsE", hashed)).toBe(false);
    expect(await verifyPassword("", hashed)).toBe(false);
  });

  it("treat passwords as Unicode text", async () => {
    const hashed = await hashPassword("pässwörd 🎵");
    expect(await verifyPassword("pässwörd 🎵", hashed)).toBe(true);
    expect(await verifyPassword("passwort 🎵", hashed)).toBe(false);
  });

  it("salt every hash afresh", async () => {
    const [a, b] = await Promise.all([hashPassword("same"), hashPassword("same")]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });
});
