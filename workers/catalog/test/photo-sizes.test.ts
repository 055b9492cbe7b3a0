import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, expectError, newUser } from "./client";
import { JPEG, photoPng, sha256Hex } from "./image-files";

/** Uploads `bytes` as a signed-in seller; answers the original's URL, `/images/<key>`. */
async function uploaded(bytes: Uint8Array<ArrayBuffer>) {
  const res = await call("/api/vinyls/images", {
    method: "POST",
    headers: { "content-type": "application/octet-stream", cookie: (await newUser()).cookie },
    body: bytes,
  });
  expect(res.status).toBe(201);
  return (await res.json<{ imageUrl: string }>()).imageUrl;
}

/** What the Images binding reads in an answer's bytes. */
async function infoOf(res: Response) {
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { bytes, info: await env.IMAGE_TRANSFORMS.info(new Blob([bytes]).stream()) };
}

const keyOf = (imageUrl: string) => imageUrl.slice("/images/".length);

describe("GET /images/:key/:width.:format", () => {
  it.each([
    ["avif", "image/avif"],
    ["webp", "image/webp"],
  ])("makes a photo 320 px wide as %s, much smaller than its original", async (format, type) => {
    const original = await photoPng(1200, 900);
    const imageUrl = await uploaded(original);
    const res = await call(`${imageUrl}/320.${format}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("etag")).toBe(`"${await sha256Hex(original)}-320.${format}"`);
    const { bytes, info } = await infoOf(res);
    expect(info).toMatchObject({ format: type, width: 320, height: 240 });
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    expect(bytes.byteLength).toBeLessThan(original.byteLength / 10);
  });

  it("keeps each size it made beside the original and serves it from there afterwards", async () => {
    const imageUrl = await uploaded(await photoPng(800, 800));
    const first = new Uint8Array(await (await call(`${imageUrl}/480.webp`)).arrayBuffer());
    const kept = await env.IMAGES.get(`${keyOf(imageUrl)}/480.webp`);
    expect(kept?.httpMetadata?.contentType).toBe("image/webp");
    expect(new Uint8Array(await kept!.arrayBuffer())).toEqual(first);

    // What is kept is what is served: the size is not made again.
    const marker = new TextEncoder().encode("kept bytes");
    await env.IMAGES.put(`${keyOf(imageUrl)}/480.webp`, marker, { httpMetadata: { contentType: "image/webp" } });
    const again = await call(`${imageUrl}/480.webp`);
    expect(again.status).toBe(200);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(marker);
  });

  it("never makes a photo larger than its original", async () => {
    const imageUrl = await uploaded(await photoPng(500, 250));
    const { info } = await infoOf(await call(`${imageUrl}/960.avif`));
    expect(info).toMatchObject({ width: 500, height: 250 });
  });

  it("answers 304 to If-None-Match with the size's ETag, and HEAD with headers only", async () => {
    const imageUrl = await uploaded(await photoPng(640, 480));
    const etag = (await call(`${imageUrl}/640.avif`)).headers.get("etag")!;
    const unchanged = await call(`${imageUrl}/640.avif`, { headers: { "if-none-match": etag } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe("");
    const head = await call(`${imageUrl}/640.avif`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("image/avif");
    expect(await head.text()).toBe("");
  });

  it.each(["300.webp", "320.png", "320.jpg", "0320.webp", "320.webp.webp", "320", "x.avif", "1280.avif", "99999.webp"])(
    "answers 404 in the error shape for the size %s, which the shop does not make",
    async (variant) => {
      const imageUrl = await uploaded(await photoPng(64, 64));
      await expectError(await call(`${imageUrl}/${variant}`), 404);
      expect(await env.IMAGES.head(`${keyOf(imageUrl)}/${variant}`)).toBeNull();
    },
  );

  it("answers 404 for a size of an original never uploaded, or of a malformed key", async () => {
    await expectError(await call(`/images/${"e".repeat(64)}.png/320.webp`), 404);
    await expectError(await call(`/images/${"e".repeat(64)}.png/320.webp`, { headers: { "if-none-match": "*" } }), 404);
    await expectError(await call("/images/..%2Fsecret.png/320.webp"), 404);
  });

  it("sends the browser to the original, briefly, when the original is nothing the resizer reads", async () => {
    // Uploads are recognised by their first bytes only: this one is a JPEG header and no picture.
    const imageUrl = await uploaded(JPEG);
    const res = await call(`${imageUrl}/320.webp`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(imageUrl);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await env.IMAGES.head(`${keyOf(imageUrl)}/320.webp`)).toBeNull();
  });
});
