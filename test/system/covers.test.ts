import { describe, expect, it } from "vitest";
import { COVER_VERSION } from "../../site/src/lib/cover-svg";
import { api, signUp } from "./client";

const cover = (query: Record<string, string>, version: number | string = COVER_VERSION) =>
  api(`/covers/${version}.svg?${new URLSearchParams(query)}`, { redirect: "manual" });

/** The `<img>` tags of an HTML page, each as its attributes with entities decoded. */
function images(html: string): Record<string, string>[] {
  const decode = (value: string) =>
    value.replace(/&(amp|quot|lt|gt|#39);/g, (_, e: string) => ({ amp: "&", quot: '"', lt: "<", gt: ">", "#39": "'" })[e]!);
  return [...html.matchAll(/<img\b((?:[^>"]|"[^"]*")*)>/g)].map(([, attrs]) =>
    Object.fromEntries([...attrs!.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, name, value]) => [name!, decode(value!)])),
  );
}

async function sha256(text: string) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Buffer.from(digest).toString("hex");
}

describe("a generated cover", () => {
  it("is an SVG image any cache may keep for a year, that can run nothing opened on its own", async () => {
    const res = await cover({ title: "Kind of Blue", artist: "Miles Davis" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/(^|;)\s*default-src 'none'/);
    expect(csp).not.toMatch(/script-src/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const svg = await res.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="300" height="300" viewBox="0 0 300 300">/);
    expect(svg).toContain(">Kind of Blue</tspan>");
    expect(svg).toContain(">Miles Davis</text>");
    expect(svg.endsWith("</svg>")).toBe(true);

    const head = await api("/covers/1.svg?title=Kind+of+Blue", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("carries nothing of the request that drew it, and never passes through the page cache", async () => {
    const res = await api(`/covers/${COVER_VERSION}.svg?title=Blue+Train`, { headers: { "x-request-id": "mine-1234" } });
    expect(res.status).toBe(200);
    expect(res.headers.has("x-request-id")).toBe(false);
    expect(res.headers.has("x-cache")).toBe(false);
    expect(res.headers.has("set-cookie")).toBe(false);
    // A signed-in visitor gets the same bytes: a cover knows no one.
    const shopper = await signUp("cover-viewer");
    const signedIn = await api(`/covers/${COVER_VERSION}.svg?title=Blue+Train`, { cookie: shopper.cookie });
    expect(signedIn.headers.has("x-cache")).toBe(false);
    expect(await signedIn.text()).toBe(await res.text());
  });

  it("is the same bytes for the same title and artist, and another cover for another artist", async () => {
    const query = { title: "Pink Moon", artist: "Nick Drake" };
    const first = await (await cover(query)).text();
    expect(await (await cover(query)).text()).toBe(first);
    expect(await (await cover({ ...query, artist: "Someone Else" })).text()).not.toBe(first);
    // No artist and an empty one are the same record.
    expect(await (await cover({ title: "Pink Moon", artist: "" })).text()).toBe(await (await cover({ title: "Pink Moon" })).text());
  });

  it(`is pinned to version ${COVER_VERSION} of the drawing`, async () => {
    // One cover of each of the four patterns, a title over three lines and one without an artist.
    // When this fails the covers look different: raise COVER_VERSION (lib/cover-svg.ts), so no
    // browser keeps the old picture under the new URL, and pin the new digest here.
    const samples: Record<string, string>[] = [
      { title: "Kind of Blue", artist: "Miles Davis" },
      { title: "Blade Runner", artist: "Vangelis" },
      { title: "Voodoo", artist: "D'Angelo" },
      { title: "Untitled" },
      { title: "Songs in the Key of Life, a double album with a bonus record", artist: "Stevie Wonder" },
    ];
    const bodies = await Promise.all(samples.map(async (s) => (await cover(s)).text()));
    expect(await sha256(bodies.join("\n"))).toBe(PINNED[COVER_VERSION]);
  });

  it("escapes whatever the title and artist hold", async () => {
    const res = await cover({ title: `<script>&"'`, artist: "</text><script>x</script>\u0001" });
    expect(res.status).toBe(200);
    const svg = await res.text();
    expect(svg).not.toContain("<script");
    expect(svg).toContain(">&lt;script&gt;&amp;&quot;&#39;</tspan>");
    expect(svg).toContain("&lt;/text&gt;");
    // A control character XML does not allow would make the whole image unreadable.
    expect(svg).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(svg).toContain("\uFFFD");
    expect(svg.match(/<text\b/g)).toHaveLength(2);
  });

  it("answers a missing or too long title or artist with a 400 in the error envelope", async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{}, "title", "Title is required"],
      [{ title: "" }, "title", "Title is required"],
      [{ artist: "Nick Drake" }, "title", "Title is required"],
      [{ title: "x".repeat(201) }, "title", "Title must be at most 200 characters"],
      [{ title: "Pink Moon", artist: "y".repeat(201) }, "artist", "Artist must be at most 200 characters"],
    ];
    for (const [query, field, message] of cases) {
      const res = await cover(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toEqual({ errors: [{ message, field }] });
    }
    expect((await cover({ title: "x".repeat(200), artist: "y".repeat(200) })).status).toBe(200);
    // Odd but bounded text is drawn; nothing is a 500.
    for (const query of ["title=%E0%A4%A&artist=%", "title=%ED%A0%80%00", "title=a&title=b", "title=%E2%80%AEevil&artist=%EF%BF%BF", "title=' OR 1=1 --"]) {
      expect((await api(`/covers/${COVER_VERSION}.svg?${query}`)).status, query).toBe(200);
    }
    expect((await api(`/covers/${COVER_VERSION}.svg?title[]=x`)).status).toBe(400);
    // Characters are counted as the catalog counts them, by code point.
    expect((await api(`/covers/${COVER_VERSION}.svg?title=${"%F0%9F%8E%B5".repeat(200)}`)).status).toBe(200);
    expect((await api(`/covers/${COVER_VERSION}.svg?title=${"%F0%9F%8E%B5".repeat(201)}`)).status).toBe(400);
  });

  it("sends a page that names an older drawing to today's, and knows no other path", async () => {
    const old = await cover({ title: "Voodoo", artist: "D'Angelo" }, COVER_VERSION + 1000);
    expect(old.status).toBe(302);
    expect(old.headers.get("location")).toBe(`/covers/${COVER_VERSION}.svg?title=Voodoo&artist=D%27Angelo`);
    expect(old.headers.get("cache-control")).toBe("no-cache");

    for (const path of ["/covers/", `/covers/${COVER_VERSION}.png?title=x`, `/covers/latest.svg?title=x`, `/covers/${COVER_VERSION}.svg/x?title=x`]) {
      const res = await api(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ errors: [{ message: "Not found" }] });
    }
    expect((await api(`/covers/${COVER_VERSION}.svg?title=x`, { method: "POST" })).status).toBe(404);
  });
});

describe("pages showing a record without a photo", () => {
  it("name its cover as an image instead of drawing it inline", async () => {
    const seller = await signUp("seller");
    const word = `covered${crypto.randomUUID().replace(/[^a-f]/g, "").slice(0, 10)}`;
    const title = `Songs & "Sketches" of ${word}`;
    const created = await api("/api/vinyls", {
      method: "POST",
      cookie: seller.cookie,
      json: { title, artist: "The <Testers>", genre: "Folk", price: 18 },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const alt = `Generated cover for “${title}” by The <Testers>`;

    for (const path of [`/vinyls?q=${word}`, `/vinyls/${id}`]) {
      const res = await api(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      const covers = images(html).filter((img) => img.alt === alt);
      expect(covers, `${path}: ${JSON.stringify(images(html))}`).toHaveLength(1);
      const [img] = covers as [Record<string, string>];
      expect(img.src).toBe(`/covers/${COVER_VERSION}.svg?${new URLSearchParams({ title, artist: "The <Testers>" })}`);
      expect([img.width, img.height]).toEqual(["300", "300"]);
      expect(img.loading).toBe(path.startsWith("/vinyls?") ? "lazy" : "eager");
      expect(img.decoding).toBe("async");
      // No cover is drawn into the page any more: every one is an <img>.
      expect(html).not.toMatch(/<svg[^>]*role="img"/);
      expect(html.split("Generated cover for").length - 1).toBe(images(html).filter((i) => i.alt?.startsWith("Generated cover for")).length);

      const drawn = await api(img.src!);
      expect(drawn.status).toBe(200);
      expect(await drawn.text()).toContain(`>Songs &amp; &quot;Sketches&quot;`);
    }
  });
});

/** The digest of the pinned samples' bytes, by drawing version. */
const PINNED: Record<number, string> = {
  1: "dfd4b66ffb9aa55d662859ec2cd4efcec946bed264b1c53fca8de28afbe77271",
};
