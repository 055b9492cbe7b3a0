import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { USERNAME_PATTERN } from "../../../schema/vocabulary";
import { candidate, usernameBase } from "../src/usernames";
import { countUsers, post, signin, signup, type ErrorBody, type UserBody } from "./client";

const usernameOf = async (res: Response) => {
  expect(res.status).toBe(201);
  return (await res.json<UserBody>()).username;
};

const signupAs = (email: string, username?: unknown) => post("signup", { email, password: "correct horse battery", username });

describe("usernames made from the email at sign-up", () => {
  it.each([
    ["John.Smith+Vinyl@example.com", "john-smith-vinyl"],
    ["o'neil@example.com", "oneil"],
    ["_-.bob.-_@example.com", "bob"],
    ["jo@example.com", "jo0"],
    ["q@example.com", "q00"],
    ["___@example.com", "user"],
    [`${"x".repeat(40)}@example.com`, "x".repeat(30)],
    [`${"a".repeat(29)}.b@example.com`, "a".repeat(29)],
  ])("makes %s into %s", (email, expected) => {
    expect(usernameBase(email)).toBe(expected);
    expect(expected).toMatch(USERNAME_PATTERN);
  });

  it("numbers a taken name from 2, cutting it so the number fits within 30", () => {
    expect(candidate("ann", 1)).toBe("ann");
    expect(candidate("ann", 2)).toBe("ann2");
    expect(candidate("x".repeat(30), 12)).toBe(`${"x".repeat(28)}12`);
    expect(candidate(`${"x".repeat(28)}-y`, 2)).toBe(`${"x".repeat(28)}2`);
  });

  it("gives the new account its email's local part, lower-cased and cleaned", async () => {
    expect(await usernameOf(await signup("Mary.Lou+records@example.com"))).toBe("mary-lou-records");
  });

  it("adds a number while the name is taken", async () => {
    expect(await usernameOf(await signup("dan@one.example"))).toBe("dan");
    expect(await usernameOf(await signup("dan@two.example"))).toBe("dan2");
    expect(await usernameOf(await signup("Dan@three.example"))).toBe("dan3");
  });

  it("passes over a name somebody chose", async () => {
    expect(await usernameOf(await signupAs("someone@example.com", "eli"))).toBe("eli");
    expect(await usernameOf(await signup("eli@example.com"))).toBe("eli2");
  });

  it("gives concurrent sign-ups from the same local part different names", async () => {
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => signup(`fin@host${i}.example`)));
    const names = await Promise.all(results.map(usernameOf));
    expect(new Set(names).size).toBe(5);
    expect(names.sort()).toEqual(["fin", "fin2", "fin3", "fin4", "fin5"]);
  });

  it("answers it again at sign-in", async () => {
    const created = await (await signup("gil.b@example.com", "correct horse")).json<UserBody>();
    const res = await signin("gil.b@example.com", "correct horse");
    expect(await res.json()).toEqual({ id: created.id, email: "gil.b@example.com", username: "gil-b" });
  });
});

describe("a username chosen at sign-up", () => {
  it("is kept, lower-cased and trimmed", async () => {
    const res = await signupAs("chooser@example.com", "  Crate_Digger-77 ");
    expect(await usernameOf(res)).toBe("crate_digger-77");
  });

  it.each([
    ["too short", "ab"],
    ["too long", "a".repeat(31)],
    ["starting with -", "-abc"],
    ["ending with _", "abc_"],
    ["with a space", "ab cd"],
    ["with a dot", "ab.cd"],
    ["with a slash", "ab/cd"],
    ["with a letter outside a-z", "björn"],
    ["empty", ""],
    ["a number", 12345],
    ["null", null],
  ])("is refused with 400 on username when %s", async (_, username) => {
    const email = `bad-${crypto.randomUUID()}@example.com`;
    const res = await signupAs(email, username);
    expect(res.status).toBe(400);
    const { errors } = await res.json<ErrorBody>();
    expect(errors).toEqual([{ field: "username", message: expect.any(String) }]);
    expect(res.headers.has("set-cookie")).toBe(false);
    expect(await countUsers(email)).toBe(0);
  });

  it("accepts exactly 3 and exactly 30 characters", async () => {
    expect(await usernameOf(await signupAs("three@example.com", "a-1"))).toBe("a-1");
    expect(await usernameOf(await signupAs("thirty@example.com", "b".repeat(30)))).toBe("b".repeat(30));
  });

  it("answers 409 Username already taken when someone has it, and creates nothing", async () => {
    await signupAs("first-hal@example.com", "hal");
    const res = await signupAs("second-hal@example.com", "hal");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ errors: [{ message: "Username already taken" }] });
    expect(res.headers.has("set-cookie")).toBe(false);
    expect(await countUsers("second-hal@example.com")).toBe(0);
  });

  it("is taken whatever its case", async () => {
    expect(await usernameOf(await signupAs("ivy-1@example.com", "Vinyl-Fan"))).toBe("vinyl-fan");
    for (const spelling of ["vinyl-fan", "VINYL-FAN", "Vinyl-fan"]) {
      const res = await signupAs(`ivy-${spelling}@example.com`, spelling);
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({ errors: [{ message: "Username already taken" }] });
    }
  });

  it("is taken when an account was given it from its email", async () => {
    await signup("kim@example.com");
    expect((await signupAs("other-kim@example.com", "kim")).status).toBe(409);
  });

  it("answers Email already in use first when both the email and the username are taken", async () => {
    await signupAs("lea@example.com", "lea-records");
    const res = await signupAs("lea@example.com", "lea-records");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ errors: [{ message: "Email already in use" }] });
  });

  it("lets exactly one of concurrent sign-ups choosing the same name win", async () => {
    const attempts = await Promise.all(Array.from({ length: 4 }, (_, i) => signupAs(`racer-${i}@example.com`, "the-racer")));
    expect(attempts.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const { n } = (await env.AUTH_DB.prepare("SELECT count(*) AS n FROM users WHERE username = 'the-racer'").first<{ n: number }>())!;
    expect(n).toBe(1);
  });
});
