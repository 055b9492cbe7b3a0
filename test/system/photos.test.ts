import { describe, expect, it } from "vitest";
import { recordPhoto } from "../support/record-photo";
import { api, base, signUp } from "./client";

/** Every `<picture>` of a page: its AVIF `srcset` candidates and its fallback image's `src`. */
function pictures(html: string) {
  return [...html.matchAll(/<picture>([\s\S]*?)<\/picture>/g)].map(([, inner]) => {
    const srcset = /<source type="image\/avif" srcset="([^"]+)" sizes="([^"]+)"/.exec(inner!);
    const img = /<img src="([^"]+)" alt="([^"]*)"/.exec(inner!);
    return {
      avif: (srcset?.[1] ?? "").split(", ").map((candidate) => {
        const [url, w] = candidate.split(" ");
        return { url: url!, width: Number(w!.replace("w", "")) };
      }),
      sizes: srcset?.[2],
      fallback: img?.[1],
      alt: img?.[2],
    };
  });
}

async function imageAt(path: string) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get("content-type"), bytes: (await res.arrayBuffer()).byteLength };
}

describe("a record's photo on the pages", () => {
  it("is offered in sizes made from the original, AVIF with a WebP fallback, never the original itself", async () => {
    const seller = await signUp("seller");
    const original = recordPhoto(1200, 3);
    const upload = await api("/api/vinyls/images", {
      method: "POST",
      cookie: seller.cookie,
      headers: { "content-type": "image/png" },
      body: original,
    });
    expect(upload.status).toBe(201);
    const { imageUrl } = (await upload.json()) as { imageUrl: string };
    const word = `photographia${crypto.randomUUID().slice(0, 8)}`;
    const created = await api("/api/vinyls", {
      method: "POST",
      cookie: seller.cookie,
      json: { title: `Pictures of ${word}`, artist: "The Lenses", genre: "Jazz", price: 20, imageUrl },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    // The browse page: a grid card offers 320, 480 and 640 px, each well under the original.
    const browse = await (await api(`/vinyls?q=${word}`)).text();
    expect(browse).not.toContain(`src="${imageUrl}"`);
    const [card] = pictures(browse);
    expect(card?.avif.map((c) => c.width)).toEqual([320, 480, 640]);
    expect(card?.avif.map((c) => c.url)).toEqual([320, 480, 640].map((w) => `${imageUrl}/${w}.avif`));
    expect(card?.fallback).toBe(`${imageUrl}/480.webp`);
    expect(card?.alt).toBe(`Photo of “Pictures of ${word}” by The Lenses`);
    for (const { url } of card!.avif) {
      const image = await imageAt(url);
      expect(image).toMatchObject({ status: 200, type: "image/avif" });
      expect(image.bytes).toBeLessThanOrEqual(40 * 1024);
    }
    const fallback = await imageAt(card!.fallback!);
    expect(fallback).toMatchObject({ status: 200, type: "image/webp" });
    expect(fallback.bytes).toBeLessThan(original.byteLength / 20);

    // The record page: its large picture goes up to 960 px.
    const page = await (await api(`/vinyls/${id}`)).text();
    const [large] = pictures(page);
    expect(large?.avif.map((c) => c.width)).toEqual([480, 640, 960]);
    expect(large?.fallback).toBe(`${imageUrl}/960.webp`);
    expect(await imageAt(large!.avif.at(-1)!.url)).toMatchObject({ status: 200, type: "image/avif" });

    // The original stays as uploaded, byte for byte.
    const kept = await fetch(`${base}${imageUrl}`);
    expect(new Uint8Array(await kept.arrayBuffer())).toEqual(new Uint8Array(original));
  });
});
