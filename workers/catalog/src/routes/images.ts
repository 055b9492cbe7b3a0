import { createRoute, z } from "@hono/zod-openapi";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonContent } from "../../../shared/src/openapi";
import { requireAuth } from "../../../shared/src/session";
import { imageKey, imageUrlFor, MAX_IMAGE_BYTES, parseImageKey } from "../image-key";
import { sniffImageType } from "../image-type";
import { makeVariant, parseVariant, variantKey } from "../photo-variants";

/** A key's bytes never change (it is their hash), so browsers and the edge may keep them for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";

const tooLarge = () => new ApiError(413, "Image must be at most 5 MiB");
const notAnImage = () => new ApiError(415, "Image must be a JPEG, PNG, WebP or AVIF");
const notFound = () => new ApiError(404, "Image not found");
/** A size that could not be made sends the browser to the original, and asks again in a while. */
const RETRY_LATER = "public, max-age=300";

const isMultipart = (type: string | undefined) => /^multipart\/form-data\s*(;|$)/i.test(type ?? "");

/** The uploaded bytes: the `file` field of a multipart form, or the whole body. */
async function uploadedBytes(req: Request): Promise<Uint8Array> {
  if (!isMultipart(req.headers.get("content-type") ?? undefined)) return new Uint8Array(await req.arrayBuffer());
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ApiError(400, [{ field: "file", message: "The form could not be read" }]);
  }
  const file = form.get("file");
  if (file === null || typeof file === "string") {
    throw new ApiError(400, [{ field: "file", message: "Attach the image as the form field `file`" }]);
  }
  if (file.size > MAX_IMAGE_BYTES) throw tooLarge();
  return new Uint8Array(await file.arrayBuffer());
}

/** `If-None-Match` lists `etag` (weak or strong, or `*`). */
function matches(ifNoneMatch: string | undefined, etag: string) {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t.replace(/^W\//, "") === etag;
  });
}

export const images = createRouter<ServiceEnv<Env>>();

images.openapi(
  createRoute({
    method: "post",
    path: "/api/vinyls/images",
    summary: "Upload a record photo",
    description:
      "Send the image as the multipart field `file`, or as the raw request body. Its type is read from its bytes: JPEG, PNG, WebP or AVIF, at most 5 MiB.",
    middleware: [requireAuth()] as const,
    responses: {
      201: jsonContent(z.object({ imageUrl: z.string().openapi({ example: "/images/<sha256>.png" }) }), "Stored"),
      400: errorContent("A multipart form without a `file` field"),
      401: errorContent("Not signed in"),
      413: errorContent("Over 5 MiB"),
      415: errorContent("Not a JPEG, PNG, WebP or AVIF by its bytes"),
    },
  }),
  async (c) => {
    const bytes = await uploadedBytes(c.req.raw);
    if (bytes.byteLength > MAX_IMAGE_BYTES) throw tooLarge();
    const type = sniffImageType(bytes);
    if (!type) throw notAnImage();
    const { key, sha256 } = await imageKey(bytes, type);
    // The same bytes give the same key, so storing them again is harmless; R2 checks the hash.
    await c.env.IMAGES.put(key, bytes, { httpMetadata: { contentType: type.contentType, cacheControl: IMMUTABLE }, sha256 });
    return c.json({ imageUrl: imageUrlFor(key) }, 201);
  },
);

images.openapi(
  createRoute({
    method: "get",
    path: "/images/{key}",
    summary: "A record photo",
    request: { params: z.object({ key: z.string().openapi({ example: "<sha256>.jpg" }) }) },
    responses: {
      200: { description: "The image bytes, cacheable forever", content: { "image/*": { schema: z.string().openapi({ format: "binary" }) } } },
      304: { description: "Unchanged (If-None-Match)" },
      404: errorContent("No such image"),
    },
  }),
  async (c) => {
    const { key } = c.req.valid("param");
    const parsed = parseImageKey(key);
    if (!parsed) throw notFound();
    const etag = `"${parsed.sha256}"`;
    const headers = { ETag: etag, "Cache-Control": IMMUTABLE };
    if (matches(c.req.header("if-none-match"), etag)) {
      if (!(await c.env.IMAGES.head(key))) throw notFound();
      return c.body(null, 304, headers);
    }
    const found = (size: number) => ({
      ...headers,
      "Content-Type": parsed.type.contentType,
      "Content-Length": String(size),
      "X-Content-Type-Options": "nosniff",
    });
    // HEAD is answered by this GET handler; it needs the object's size, not its bytes.
    if (c.req.method === "HEAD") {
      const object = await c.env.IMAGES.head(key);
      if (!object) throw notFound();
      return c.body(null, 200, found(object.size));
    }
    const object = await c.env.IMAGES.get(key);
    if (!object) throw notFound();
    return c.body(object.body, 200, found(object.size));
  },
);

images.openapi(
  createRoute({
    method: "get",
    path: "/images/{key}/{variant}",
    summary: "A record photo in one of the sizes pages show",
    description:
      "`variant` is `<width>.<format>`: width 320, 480, 640 or 960 (never wider than the original), format `avif` or `webp`. Made from the original on first request and kept.",
    request: {
      params: z.object({
        key: z.string().openapi({ example: "<sha256>.jpg" }),
        variant: z.string().openapi({ example: "640.avif" }),
      }),
    },
    responses: {
      200: { description: "The sized image, cacheable forever", content: { "image/*": { schema: z.string().openapi({ format: "binary" }) } } },
      302: { description: "This size cannot be made from the original (not an image the resizer reads): the original instead" },
      304: { description: "Unchanged (If-None-Match)" },
      404: errorContent("No such image, or a size the shop does not make"),
    },
  }),
  async (c) => {
    const { key, variant } = c.req.valid("param");
    const original = parseImageKey(key);
    const size = parseVariant(variant);
    if (!original || !size) throw notFound();
    // The size's bytes follow from the original's and the encoder's settings, named by the path.
    const etag = `"${original.sha256}-${size.width}.${size.format}"`;
    const headers = { ETag: etag, "Cache-Control": IMMUTABLE };
    if (matches(c.req.header("if-none-match"), etag)) {
      if (!(await c.env.IMAGES.head(key))) throw notFound();
      return c.body(null, 304, headers);
    }
    const found = (contentType: string, size: number) => ({
      ...headers,
      "Content-Type": contentType,
      "Content-Length": String(size),
      "X-Content-Type-Options": "nosniff",
    });
    const stored = await c.env.IMAGES.get(variantKey(key, size));
    if (stored) return c.body(stored.body, 200, found(stored.httpMetadata?.contentType ?? size.contentType, stored.size));
    const source = await c.env.IMAGES.get(key);
    if (!source) throw notFound();
    const made = await makeVariant(c.env.IMAGE_TRANSFORMS, source.body, size);
    if (!made) return c.body(null, 302, { Location: imageUrlFor(key), "Cache-Control": RETRY_LATER });
    // Kept before answering, so every later request for this size reads it instead of making it again.
    await c.env.IMAGES.put(variantKey(key, size), made.bytes, { httpMetadata: { contentType: made.contentType, cacheControl: IMMUTABLE } });
    return c.body(made.bytes, 200, found(made.contentType, made.bytes.byteLength));
  },
);
