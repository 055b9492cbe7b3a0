import { describe, expect, it } from "vitest";
import { seed } from "../../scripts/seed/seed.mjs";
import { api, base, eventually, signUp } from "./client";

// The smallest valid PNG: 1×1, one transparent pixel.
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="),
  (c) => c.charCodeAt(0),
);

type Vinyl = { id: string; title: string; imageUrl: string | null; status: string; version: number };

describe("a record listed through the public origin", () => {
  it("is listed with a photo, found by search and genre, and snapshotted by a new order", async () => {
    const seller = await signUp("seller");
    const form = new FormData();
    form.append("file", new Blob([PNG], { type: "image/jpeg" }), "cover.jpg");
    const upload = await api("/api/vinyls/images", { method: "POST", body: form, cookie: seller.cookie });
    expect(upload.status).toBe(201);
    const { imageUrl } = (await upload.json()) as { imageUrl: string };
    expect(imageUrl).toMatch(/^\/images\/[0-9a-f]{64}\.png$/);

    const photo = await fetch(`${base}${imageUrl}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(PNG);

    const word = `zeppelinoid${crypto.randomUUID().slice(0, 8)}`;
    const created = await api("/api/vinyls", {
      method: "POST",
      cookie: seller.cookie,
      json: { title: `Songs of ${word}`, artist: "The Testers", genre: "KPop", price: 31.99, imageUrl },
    });
    expect(created.status).toBe(201);
    const vinyl = (await created.json()) as Vinyl;

    const byText = (await (await api(`/api/vinyls?q=${word}`)).json()) as Vinyl[];
    expect(byText.map((v) => v.id)).toEqual([vinyl.id]);
    const byGenre = (await (await api(`/api/vinyls?genre=KPop&limit=100`)).json()) as Vinyl[];
    expect(byGenre.map((v) => v.id)).toContain(vinyl.id);

    // The orders Worker learns of the record from vinyl_created; until then it answers 404.
    const buyer = await signUp("buyer");
    const order = await eventually(async () => {
      const res = await api("/api/orders", { method: "POST", cookie: buyer.cookie, json: { vinylId: vinyl.id } });
      return res.status === 201 ? ((await res.json()) as { vinyl: unknown }) : undefined;
    });
    expect(order.vinyl).toEqual({ id: vinyl.id, title: `Songs of ${word}`, price: 31.99, currency: "USD" });
  });
});

describe("the demo catalog", () => {
  it("seeds every record once, however often it runs", async () => {
    const first = await seed(base);
    expect(first.created).toBe(first.total);
    const again = await seed(base);
    expect(again.created).toBe(0);
    const genres = new Set(
      ((await (await api("/api/vinyls?limit=100")).json()) as { genre: string }[]).map((v) => v.genre),
    );
    expect(genres.size).toBe(24);
  });
});
