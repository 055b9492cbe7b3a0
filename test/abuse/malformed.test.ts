import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { LINES, casesFor, unknownRouteCases, type Case } from "./endpoints";
import { errorShapeProblem, pool, request } from "./http";
import { seeded, showSeed } from "./random";
import { count, emptyTally, formatTally, saveTally } from "./tally";
import { buildWorld, expectAccountsWork, snapshot, type World } from "./world";

/**
 * Malformed requests, generated from the endpoint table (endpoints.ts) and the catalogue of
 * mutations (catalogue.ts), against the whole system through its public origin. Every
 * answer must be a 4xx the contract lists for that endpoint (or the one success a harmless
 * oddity earns, such as an unknown query parameter), never a 5xx, and every error in the
 * one error body. At the end, everything the requests aimed at reads back unchanged.
 */

const SEED = Number(process.env.ABUSE_SEED ?? 0xab05e);
const tally = emptyTally();

let world: World;
let before: Awaited<ReturnType<typeof snapshot>>;

beforeAll(async () => {
  console.log(`malformed requests: seed ${showSeed(SEED)} (set ABUSE_SEED to change it)`);
  world = await buildWorld("malformed");
  before = await snapshot(world);
});

afterAll(() => {
  saveTally(inject("tallyDir"), "malformed", tally);
  console.log(formatTally(`malformed requests (seed ${showSeed(SEED)})`, tally));
});

/** Sends every case and returns what was wrong with the answers. */
async function send(cases: Case[]): Promise<string[]> {
  const problems = await pool(
    cases.map((c) => async () => {
      const answer = await request(c.sent).catch((error: Error) => ({ status: 0, headers: {}, text: `no answer: ${error.message}` }));
      count(tally, answer.status);
      tally.cases++;
      const what = `${c.line.route} as ${c.line.as} — ${c.name}`;
      if (answer.status === 0 || answer.status >= 500) return `${what}: ${answer.status} ${answer.text.slice(0, 200)}`;
      if (!c.expect.includes(answer.status)) return `${what}: ${answer.status} (expected ${c.expect.join(" or ")}) ${answer.text.slice(0, 200)}`;
      if (c.text !== undefined && answer.text !== c.text) return `${what}: ${answer.status} ${answer.text.slice(0, 200)} (expected ${c.text})`;
      if (answer.status >= 400) {
        const shape = errorShapeProblem(answer);
        if (shape) return `${what}: ${answer.status} ${shape}`;
      }
      return null;
    }),
  );
  return problems.filter((p): p is string => p !== null);
}

describe("malformed requests through the public origin", () => {
  LINES.forEach((line, index) => {
    const signedIn = line.as === "anon" ? "signed out" : `as the ${line.as}`;
    it(`${line.route} ${signedIn} (${line.families.join(", ")}): a 4xx of its contract, in the error shape, never a 5xx`, async () => {
      const random = seeded(SEED + index);
      const cases = random.shuffle(casesFor(line, world, random));
      expect(cases.length).toBeGreaterThan(0);
      expect(await send(cases)).toEqual([]);
    });
  });

  it("unknown routes and methods: 404 in the error shape", async () => {
    const problems: string[] = [];
    for (const c of unknownRouteCases(world)) {
      const answer = await request(c.sent);
      count(tally, answer.status);
      tally.cases++;
      if (answer.status !== 404) problems.push(`${c.name}: ${answer.status} ${answer.text.slice(0, 120)}`);
      else if (errorShapeProblem(answer)) problems.push(`${c.name}: ${errorShapeProblem(answer)}`);
    }
    expect(problems).toEqual([]);
  });

  it("changed nothing: the listings, the order, every list and account read back as before", async () => {
    expect(await snapshot(world)).toEqual(before);
    await expectAccountsWork(world);
  });
});
