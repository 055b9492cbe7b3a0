import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BARE_PATH, CEILING_PATH, startMiniflare } from "../../scripts/bench/miniflare-system.mjs";

// The bench's gating system runs the built bundles (`npm run build`, which `npm test` runs
// first). Its ceiling must be answered by the storefront's own Worker without reaching the
// shop's code, and everything else must still be the shop.
describe("bench gating system", () => {
  let system: Awaited<ReturnType<typeof startMiniflare>>;
  let state: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "bench-gating-"));
    system = await startMiniflare({ port: 0, persistTo: state });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("answers the ceiling with a constant from the storefront's Worker, before the shop's entry", async () => {
    const res = await fetch(`${system.origin}${CEILING_PATH}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    // The shop's entry gives every answer a request id; the ceiling never reaches it.
    expect(res.headers.get("x-request-id")).toBeNull();
  });

  it("answers the bare Worker's constant", async () => {
    const res = await fetch(`${system.origin}${BARE_PATH}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
  });

  it("hands every other request to the storefront as built", async () => {
    const api = await fetch(`${system.origin}/api/__bench/constant`);
    expect(api.status).toBe(404);
    expect(api.headers.get("x-request-id")).toMatch(/\S/);
    expect(await api.json()).toMatchObject({ errors: [{ message: expect.any(String) }] });
    const icon = await fetch(`${system.origin}/favicon.ico`);
    expect(icon.status).toBe(200);
  });
});
