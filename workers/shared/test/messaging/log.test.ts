import { afterEach, describe, expect, it, vi } from "vitest";
import { log, setLogLevel } from "../../src/log";

afterEach(() => {
  vi.restoreAllMocks();
  setLogLevel("warn");
});

describe("log", () => {
  it("writes one JSON line even for fields JSON cannot hold, and never lets a field rename the level", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    log.error("relay failed", { error: new Error("queue unavailable"), offset: 10n, level: "debug", msg: "fine" });
    const line = JSON.parse(error.mock.calls[0]![0] as string);
    expect(line).toMatchObject({
      level: "error",
      msg: "relay failed",
      error: { name: "Error", message: "queue unavailable" },
      offset: "10",
    });
  });

  it("does not throw for a field that cannot be serialised at all", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => log.error("odd field", { circular })).not.toThrow();
    expect(JSON.parse(error.mock.calls[0]![0] as string)).toMatchObject({ level: "error", msg: "odd field" });
  });

  it("stays quiet below the level set from LOG_LEVEL and ignores unknown levels", () => {
    const info = vi.spyOn(console, "log").mockImplementation(() => {});
    setLogLevel("warn");
    setLogLevel("verbose");
    log.info("chatter");
    expect(info).not.toHaveBeenCalled();
  });
});
