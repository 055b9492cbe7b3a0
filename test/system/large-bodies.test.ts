import { describe, expect, it } from "vitest";
import { api, base, signUp } from "./client";

// Uploads the way fetch sends them: the whole body with its Content-Length, or streamed
// without one. Before the edge read refused bodies to their end, the answer to these raced the
// upload and the client got a reset or wrangler's `500 Network connection lost` instead.

const MIB = 1024 * 1024;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A body that starts like a PNG and is `bytes` long: a phone photo's size, not its pixels. */
function pngOf(bytes: number) {
  const body = new Uint8Array(bytes);
  body.set(PNG_SIGNATURE);
  return body;
}

function streamed(body: Uint8Array) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < body.byteLength; at += 64 * 1024) controller.enqueue(body.subarray(at, at + 64 * 1024));
      controller.close();
    },
  });
}

async function expectErrorShape(res: Response, status: number, message: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({ errors: [{ message }] });
}

describe("a photo over the limit, sent through the public origin", () => {
  it.each([6, 12])("is answered 413 in the error shape when sent raw with a Content-Length of %i MiB", async (mib) => {
    const seller = await signUp("seller");
    const res = await api("/api/vinyls/images", {
      method: "POST",
      cookie: seller.cookie,
      headers: { "content-type": "image/png" },
      body: pngOf(mib * MIB),
    });
    await expectErrorShape(res, 413, "Request body too large");
  });

  it("is answered 413 in the error shape when sent as a 6 MiB form", async () => {
    const seller = await signUp("seller");
    const form = new FormData();
    form.append("file", new Blob([pngOf(6 * MIB)], { type: "image/png" }), "phone-photo.png");
    const res = await api("/api/vinyls/images", { method: "POST", cookie: seller.cookie, body: form });
    await expectErrorShape(res, 413, "Request body too large");
  });

  it("is answered 413 in the error shape when streamed without a length", async () => {
    const seller = await signUp("seller");
    const res = await api("/api/vinyls/images", {
      method: "POST",
      cookie: seller.cookie,
      headers: { "content-type": "image/png" },
      body: streamed(pngOf(6 * MIB)),
      duplex: "half",
    } as RequestInit);
    await expectErrorShape(res, 413, "Request body too large");
  });

  it("is refused for its size before anything else when the uploader is signed out; a smaller one is 401", async () => {
    const res = await api("/api/vinyls/images", { method: "POST", headers: { "content-type": "image/png" }, body: pngOf(6 * MIB) });
    // Over the edge's limit, the size decides before any service sees the request.
    await expectErrorShape(res, 413, "Request body too large");
    const small = await api("/api/vinyls/images", { method: "POST", headers: { "content-type": "image/png" }, body: pngOf(4 * MIB) });
    await expectErrorShape(small, 401, "You must be signed in");
  });
});

describe("a large body the edge answers without reading", () => {
  it("gets its answer: an unknown API path is 404", async () => {
    const res = await api("/api/nowhere", { method: "POST", headers: { "content-type": "application/octet-stream" }, body: pngOf(8 * MIB) });
    await expectErrorShape(res, 404, "Not found");
  });

  it("gets its answer: a page that takes no form refuses a cross-site post with 403", async () => {
    const res = await fetch(`${base}/vinyls/new`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://elsewhere.example" },
      body: new Uint8Array(8 * MIB),
    });
    expect(res.status).toBe(403);
    await res.body?.cancel();
  });
});

describe("the sell form", () => {
  it("says how large a photo may be before one is chosen", async () => {
    const seller = await signUp("seller");
    const page = await (await api("/vinyls/new", { cookie: seller.cookie })).text();
    expect(page).toMatch(/id="field-file-hint"[^>]*>[^<]*up to 5 MiB/);
  });

  it("without JavaScript, answers a 6 MiB photo with the form again and the limit, not a lost connection", async () => {
    const seller = await signUp("seller");
    const form = new FormData();
    form.append("title", "Phone photo");
    form.append("genre", "Jazz");
    form.append("price", "12");
    form.append("file", new Blob([pngOf(6 * MIB)], { type: "image/png" }), "IMG_0001.png");
    const res = await api("/vinyls/new", { method: "POST", cookie: seller.cookie, headers: { origin: base }, body: form, redirect: "manual" });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("Image must be at most 5 MiB");
  });
});
