import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_IMAGE_BYTES } from "../src/image-key";
import { BASE, call, expectError, newUser, type Seller } from "./client";
import { AVIF, AVIF_COMPATIBLE, GIF, HEIC, JPEG, PNG, sha256Hex, TEXT, WEBP } from "./image-files";

function uploadRaw(bytes: Uint8Array, user?: Seller, contentType = "application/octet-stream") {
  return call("/api/vinyls/images", {
    method: "POST",
    headers: { "content-type": contentType, ...(user ? { cookie: user.cookie } : {}) },
    body: bytes,
  });
}

function uploadForm(bytes: Uint8Array, user: Seller, filename: string, type: string, field = "file") {
  const form = new FormData();
  form.append(field, new File([bytes], filename, { type }));
  return call("/api/vinyls/images", { method: "POST", headers: { cookie: user.cookie }, body: form });
}

const imageUrlOf = async (res: Response) => {
  expect(res.status).toBe(201);
  return (await res.json<{ imageUrl: string }>()).imageUrl;
};

describe("POST /api/vinyls/images", () => {
  it.each([
    ["JPEG", JPEG, "jpg", "image/jpeg"],
    ["PNG", PNG, "png", "image/png"],
    ["WebP", WEBP, "webp", "image/webp"],
    ["AVIF", AVIF, "avif", "image/avif"],
    ["AVIF with avif as a compatible brand", AVIF_COMPATIBLE, "avif", "image/avif"],
  ])("stores a %s sent as the raw body under its SHA-256", async (_, bytes, ext, type) => {
    const imageUrl = await imageUrlOf(await uploadRaw(bytes, await newUser()));
    const key = `${await sha256Hex(bytes)}.${ext}`;
    expect(imageUrl).toBe(`/images/${key}`);
    const stored = await env.IMAGES.get(key);
    expect(stored?.httpMetadata?.contentType).toBe(type);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);
  });

  it("stores a PNG uploaded as photo.jpg with type image/jpeg as a PNG", async () => {
    const imageUrl = await imageUrlOf(await uploadForm(PNG, await newUser(), "photo.jpg", "image/jpeg"));
    expect(imageUrl).toBe(`/images/${await sha256Hex(PNG)}.png`);
    const res = await call(imageUrl);
    expect(res.headers.get("content-type")).toBe("image/png");
  });

  it("gives the same bytes the same address, whoever uploads them", async () => {
    const a = await imageUrlOf(await uploadRaw(JPEG, await newUser()));
    const b = await imageUrlOf(await uploadForm(JPEG, await newUser(), "x.webp", "image/webp"));
    expect(a).toBe(b);
  });

  it.each([
    ["a text file labelled image/png", TEXT, "image/png"],
    ["a GIF", GIF, "image/gif"],
    ["a HEIC", HEIC, "image/heic"],
    ["an empty body", new Uint8Array(), "image/png"],
    ["a PNG cut short", PNG.slice(0, 4), "image/png"],
  ])("answers 415 for %s", async (_, bytes, type) => {
    const user = await newUser();
    const body = await expectError(await uploadRaw(bytes, user, type), 415);
    expect(body.errors).toEqual([{ message: "Image must be a JPEG, PNG, WebP or AVIF" }]);
    await expectError(await uploadForm(bytes, user, "cover.png", type), 415);
  });

  it("answers 413 for an image of 5 MiB and one byte, sent raw or as a form", async () => {
    const user = await newUser();
    const big = new Uint8Array(MAX_IMAGE_BYTES + 1);
    big.set(PNG);
    await expectError(await uploadRaw(big, user, "image/png"), 413);
    await expectError(await uploadForm(big, user, "big.png", "image/png"), 413);
  });

  it("answers 413 for a far larger body without reading it all", async () => {
    await expectError(await uploadRaw(new Uint8Array(12 * 1024 * 1024), await newUser(), "image/png"), 413);
  });

  it("accepts an image of exactly 5 MiB", async () => {
    const exact = new Uint8Array(MAX_IMAGE_BYTES);
    exact.set(JPEG);
    const imageUrl = await imageUrlOf(await uploadForm(exact, await newUser(), "exact.jpg", "image/jpeg"));
    expect((await env.IMAGES.head(imageUrl.slice("/images/".length)))?.size).toBe(MAX_IMAGE_BYTES);
  });

  it("answers 401 to an anonymous caller and stores nothing", async () => {
    const bytes = new Uint8Array([...PNG, 1, 2, 3]);
    await expectError(await uploadRaw(bytes), 401);
    expect(await env.IMAGES.head(`${await sha256Hex(bytes)}.png`)).toBeNull();
  });

  it("answers 400 for a form without a file field", async () => {
    const user = await newUser();
    const body = await expectError(await uploadForm(PNG, user, "a.png", "image/png", "photo"), 400);
    expect(body.errors[0]!.field).toBe("file");
    const form = new FormData();
    form.append("file", "just text");
    await expectError(await call("/api/vinyls/images", { method: "POST", headers: { cookie: user.cookie }, body: form }), 400);
  });

  it("answers 400 for a malformed multipart body", async () => {
    const res = await call("/api/vinyls/images", {
      method: "POST",
      headers: { cookie: (await newUser()).cookie, "content-type": "multipart/form-data; boundary=nope" },
      body: "this is not multipart",
    });
    await expectError(res, 400);
  });
});

describe("GET /images/:key", () => {
  async function stored(bytes: Uint8Array) {
    return imageUrlOf(await uploadRaw(bytes, await newUser()));
  }

  it("answers the bytes with their type, a strong ETag and immutable caching", async () => {
    const imageUrl = await stored(WEBP);
    const res = await call(imageUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/webp");
    expect(res.headers.get("etag")).toBe(`"${await sha256Hex(WEBP)}"`);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(WEBP);
  });

  it("answers 304 without a body to If-None-Match with its ETag", async () => {
    const imageUrl = await stored(AVIF);
    const etag = (await call(imageUrl)).headers.get("etag")!;
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await call(imageUrl, { headers: { "if-none-match": header } });
      expect(res.status).toBe(304);
      expect(res.headers.get("etag")).toBe(etag);
      expect(await res.text()).toBe("");
    }
    expect((await call(imageUrl, { headers: { "if-none-match": '"something-else"' } })).status).toBe(200);
  });

  it("answers HEAD with the headers only", async () => {
    const imageUrl = await stored(JPEG);
    const res = await call(imageUrl, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(await res.text()).toBe("");
  });

  it("answers 404 for a well-formed key that was never uploaded, even to If-None-Match", async () => {
    const key = `${"f".repeat(64)}.png`;
    await expectError(await call(`/images/${key}`), 404);
    await expectError(await call(`/images/${key}`, { headers: { "if-none-match": `"${"f".repeat(64)}"` } }), 404);
    await expectError(await call(`/images/${key}`, { headers: { "if-none-match": "*" } }), 404);
  });

  it("answers 404 for a stored image asked for under the wrong extension", async () => {
    const imageUrl = await stored(PNG);
    await expectError(await call(imageUrl.replace(/\.png$/, ".jpg")), 404);
  });

  it.each([
    "..",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2fsecret",
    `${"a".repeat(64)}.png%2F..`,
    `${"a".repeat(64)}%2Epng`,
    `${"A".repeat(64)}.png`,
    `${"a".repeat(63)}.png`,
    `${"a".repeat(64)}.gif`,
    `${"a".repeat(64)}.png.png`,
    "%00",
    "%ZZ",
    "x".repeat(5000),
    "🎵.png",
  ])("answers 404 for the malformed key %s", async (key) => {
    const res = await call(`${BASE}/images/${key}`);
    expect(res.status).toBe(404);
  });

  it.each(["/images/a/b", "/images/", "/images", "/images/..%5C..%5Cwin.ini"])("answers 404 for the path %s", async (path) => {
    expect((await call(path)).status).toBe(404);
  });
});
