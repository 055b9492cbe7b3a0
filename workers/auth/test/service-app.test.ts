import { createRoute, z } from "@hono/zod-openapi";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createServiceApp } from "../../shared/src/app";
import { ApiError } from "../../shared/src/errors";
import { jsonBody, jsonContent } from "../../shared/src/openapi";

// The shared app on its own, with a route whose body schema accepts `{}` (every field optional),
// the case the auth routes cannot show because their fields are required.
const app = createServiceApp({ service: "test" });
app.openapi(
  createRoute({
    method: "post",
    path: "/notes",
    request: jsonBody(z.object({ note: z.string().max(5, { error: "Note is too long" }).optional() })),
    responses: { 200: jsonContent(z.object({ note: z.string().nullable() }), "Saved") },
  }),
  (c) => c.json({ note: c.req.valid("json").note ?? null }, 200),
);
app.get("/conflict", () => {
  throw new ApiError(409, [{ field: "a", message: "A is wrong" }]);
});

const request = (path: string, init?: RequestInit) => app.request(path, init, { JWT_SECRET: env.JWT_SECRET, LOG_LEVEL: "warn" });

describe("the shared service app", () => {
  it("answers 415 to a POST with neither body nor Content-Type even when the schema accepts {}", async () => {
    const res = await request("/notes", { method: "POST" });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ errors: [{ message: "Unsupported Media Type" }] });
  });

  it("passes a valid JSON body to the handler", async () => {
    const res = await request("/notes", { method: "POST", headers: { "content-type": "application/json" }, body: '{"note":"hi"}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ note: "hi" });
  });

  it("reports a field's failure with its dotted path as field", async () => {
    const res = await request("/notes", { method: "POST", headers: { "content-type": "application/json" }, body: '{"note":"too long"}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ field: "note", message: "Note is too long" }] });
  });

  it("turns a thrown ApiError into the error body with its status", async () => {
    const res = await request("/conflict");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ errors: [{ field: "a", message: "A is wrong" }] });
  });
});
