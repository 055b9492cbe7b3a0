import { describe, expect, it } from "vitest";
import { inOneRateWindow } from "./rate-window";

describe("waiting for a rate window with room", () => {
  it("waits for the next window when the current one has too little left", async () => {
    const before = Date.now();
    // A 1-second period never has a whole second left: it always waits for the next.
    await inOneRateWindow(1, 1);
    const nextWindow = (Math.floor(before / 1000) + 1) * 1000;
    expect(Date.now()).toBeGreaterThanOrEqual(nextWindow + 200);
  });

  it("returns at once when the window has enough left", async () => {
    const before = Date.now();
    await inOneRateWindow(1, 0);
    expect(Date.now() - before).toBeLessThan(200);
  });
});
