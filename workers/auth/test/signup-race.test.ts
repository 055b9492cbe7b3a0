import { describe, expect, it } from "vitest";
import { countUsers, post, signin, type UserBody } from "./client";

describe("concurrent sign-ups for one email", () => {
  it("let exactly one win with 201; the rest answer 409 and one account exists", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 5 }, (_, i) => post("signup", { email: "race@example.com", password: `password number ${i}` })),
    );
    const statuses = attempts.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    expect(await countUsers("race@example.com")).toBe(1);
    for (const loser of attempts.filter((r) => r.status === 409)) {
      expect(await loser.json()).toEqual({ errors: [{ message: "Email already in use" }] });
      expect(loser.headers.has("set-cookie")).toBe(false);
    }
  });

  it("keep the winner's password: only the 201's password signs in", async () => {
    const passwords = Array.from({ length: 5 }, (_, i) => `racer password ${i}`);
    const attempts = await Promise.all(passwords.map((password) => post("signup", { email: "race2@example.com", password })));
    const winner = attempts.findIndex((r) => r.status === 201);
    const { id } = await attempts[winner]!.json<UserBody>();
    const res = await signin("race2@example.com", passwords[winner]);
    expect(res.status).toBe(200);
    expect((await res.json<UserBody>()).id).toBe(id);
    const loser = passwords.find((_, i) => i !== winner)!;
    expect((await signin("race2@example.com", loser)).status).toBe(400);
  });

  it("treat spellings of one address as the same email in a race", async () => {
    const spellings = ["race3@example.com", "RACE3@example.com", " race3@example.com", "Race3@Example.Com", "race3@EXAMPLE.COM "];
    const attempts = await Promise.all(spellings.map((email) => post("signup", { email, password: "correct horse" })));
    expect(attempts.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await countUsers("race3@example.com")).toBe(1);
  });
});
