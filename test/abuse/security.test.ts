import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DISGUISED, MULTIPART, PNG, multipartFile } from "./endpoints";
import { api, base, errorShapeProblem, request, type Answer, type Sent } from "./http";
import { count, emptyTally, formatTally, saveTally } from "./tally";
import { newClientAddress } from "../support/client-address.mjs";
import { badTokens, validToken } from "./tokens";
import { signWithSandboxSecret } from "./webhooks";
import { LISTING, buildWorld, eventually, signUp, snapshot, type World } from "./world";
import { inOneRateWindow } from "../../workers/shared/test/rate-window";

/**
 * Attacks on who may do what: forged and expired sessions, other people's records and
 * orders, requests from another site, guessing passwords, files pretending to be photos,
 * and paths that try to climb out of /images. Each is refused the contract's way, and
 * nothing it aimed at changes.
 */

const tally = emptyTally();
let world: World;

beforeAll(async () => {
  world = await buildWorld("security");
});

afterAll(() => {
  saveTally(inject("tallyDir"), "security", tally);
  console.log(formatTally("security requests", tally));
});

/** Sends an attack and counts it. */
async function attack(sent: Sent): Promise<Answer> {
  const answer = await request(sent);
  count(tally, answer.status);
  tally.cases++;
  return answer;
}

const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Sent => ({
  method,
  path,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const withCookie = (sent: Sent, cookie: string): Sent => ({ ...sent, headers: { ...sent.headers, cookie } });

/** A photo nobody uploaded before: the 1×1 PNG with bytes after its end, which decoders ignore. */
const uniquePng = () => Buffer.concat([PNG, Buffer.from(crypto.randomUUID())]);
const imagePath = (bytes: Buffer, ext = "png") => `/images/${createHash("sha256").update(bytes).digest("hex")}.${ext}`;

function expectRefused(answer: Answer, status: number, what: string) {
  expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBe(status);
  expect(errorShapeProblem(answer), what).toBeNull();
}

/** Everything of the world's accounts and records, for before/after comparison. */
const state = () => snapshot(world);

describe("forged, tampered and expired sessions", () => {
  it("the forging is right: a token made the service's way with the real secret is accepted", async () => {
    const res = await api("GET", "/api/users/currentuser", { cookie: `session=${validToken(world.seller)}` });
    expect(res.json()).toMatchObject({ currentUser: { id: world.seller.id, email: world.seller.email, username: world.seller.username } });
  });

  it("a correctly signed token naming a session auth never started is anonymous to auth", async () => {
    const res = await api("GET", "/api/users/currentuser", { cookie: `session=${validToken(world.seller, crypto.randomUUID())}` });
    expect(res.text).toBe('{"currentUser":null}');
  });

  it("every forged, tampered, expired or unsigned token is anonymous: 401 on every protected route, currentUser null, nothing changed", async () => {
    const before = await state();
    const sellerToken = world.seller.cookie.slice("session=".length);
    const buyerToken = world.buyer.cookie.slice("session=".length);
    // Requests that would succeed with the real session (or, for the buyer's order, be seen).
    const asSeller: [string, Sent][] = [
      ["GET /api/vinyls/mine", { method: "GET", path: "/api/vinyls/mine" }],
      ["POST /api/vinyls", json("POST", "/api/vinyls", { ...LISTING, title: "Listed with a forged session" })],
      ["PUT /api/vinyls/:id", json("PUT", `/api/vinyls/${world.listing.id}`, { title: "Edited with a forged session" })],
      ["DELETE /api/vinyls/:id", { method: "DELETE", path: `/api/vinyls/${world.listing.id}` }],
      ["POST /api/vinyls/images", { method: "POST", path: "/api/vinyls/images", headers: { "content-type": "image/png" }, body: uniquePng() }],
      ["POST /api/orders/:id/shipment", json("POST", `/api/orders/${world.order.id}/shipment`, { carrier: "A", trackingNumber: "B" })],
      ["POST /api/orders/:id/feedback/reply", json("POST", `/api/orders/${world.order.id}/feedback/reply`, { reply: "A" })],
      ["GET /api/wants", { method: "GET", path: "/api/wants" }],
      ["POST /api/wants", json("POST", "/api/wants", { q: "saved with a forged session" })],
      ["DELETE /api/wants/:id", { method: "DELETE", path: `/api/wants/${world.want.id}` }],
    ];
    const asBuyer: [string, Sent][] = [
      ["POST /api/orders", json("POST", "/api/orders", { vinylId: world.ordered.id })],
      ["GET /api/orders", { method: "GET", path: "/api/orders" }],
      ["GET /api/orders/:id", { method: "GET", path: `/api/orders/${world.order.id}` }],
      ["DELETE /api/orders/:id", { method: "DELETE", path: `/api/orders/${world.order.id}` }],
      ["GET /api/orders/sales", { method: "GET", path: "/api/orders/sales" }],
      ["PUT /api/orders/:id/shipping-address", json("PUT", `/api/orders/${world.order.id}/shipping-address`, { name: "A", line1: "B", city: "C", postalCode: "D", country: "US" })],
      ["POST /api/orders/:id/delivery", { method: "POST", path: `/api/orders/${world.order.id}/delivery` }],
      ["POST /api/orders/:id/feedback", json("POST", `/api/orders/${world.order.id}/feedback`, { rating: "positive" })],
    ];
    const problems: string[] = [];
    for (const [subject, token, other, requests] of [
      [world.seller, sellerToken, world.buyer, asSeller],
      [world.buyer, buyerToken, world.seller, asBuyer],
    ] as const) {
      for (const [tokenName, bad] of badTokens(subject, token, other)) {
        const cookie = `session=${bad}`;
        const current = await attack({ method: "GET", path: "/api/users/currentuser", headers: { cookie } });
        if (current.status !== 200 || current.text !== '{"currentUser":null}') problems.push(`currentuser with ${tokenName}: ${current.status} ${current.text}`);
        for (const [route, sent] of requests) {
          const answer = await attack(withCookie(sent, cookie));
          if (answer.status !== 401 || errorShapeProblem(answer)) problems.push(`${route} with ${tokenName}: ${answer.status} ${answer.text.slice(0, 120)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await state()).toEqual(before);
  });
});

describe("another user's records and orders", () => {
  it("a buyer or a stranger cannot edit or withdraw the seller's listing (403), and it stays as it was", async () => {
    const before = (await api("GET", `/api/vinyls/${world.listing.id}`)).text;
    for (const who of [world.buyer, world.stranger]) {
      expectRefused(await attack(withCookie(json("PUT", `/api/vinyls/${world.listing.id}`, { title: "Not yours", price: 1 }), who.cookie)), 403, "PUT");
      expectRefused(await attack(withCookie({ method: "DELETE", path: `/api/vinyls/${world.listing.id}` }, who.cookie)), 403, "DELETE");
    }
    expect((await api("GET", `/api/vinyls/${world.listing.id}`)).text).toBe(before);
  });

  it("a stranger cannot see or cancel the buyer's live order, the seller can only read it (403 for the rest), and it is not cancelled", async () => {
    const res = await api("POST", "/api/vinyls", { cookie: world.seller.cookie, json: { ...LISTING, title: "Held for the buyer" } });
    const vinyl = res.json<{ id: string }>();
    const order = await eventually(async () => {
      const placed = await api("POST", "/api/orders", { cookie: world.buyer.cookie, json: { vinylId: vinyl.id } });
      expect(placed.status).toBe(201);
      return placed.json<{ id: string }>();
    });
    const address = { name: "Hidden Buyer", line1: "7 Private Way", city: "Elsewhere", postalCode: "99999", country: "US" };
    const given = await api("PUT", `/api/orders/${order.id}/shipping-address`, { cookie: world.buyer.cookie, json: address });
    expect([200, 409]).toContain(given.status);
    expectRefused(await attack(withCookie({ method: "GET", path: `/api/orders/${order.id}` }, world.stranger.cookie)), 403, "GET");
    // The seller may read the order of their record, but not the address of a buyer who has not paid.
    const seen = await attack(withCookie({ method: "GET", path: `/api/orders/${order.id}` }, world.seller.cookie));
    expect(seen.status).toBe(200);
    expect(seen.text).not.toContain("Private Way");
    for (const who of [world.stranger, world.seller]) {
      expectRefused(await attack(withCookie({ method: "DELETE", path: `/api/orders/${order.id}` }, who.cookie)), 403, "DELETE");
      expectRefused(await attack(withCookie(json("PUT", `/api/orders/${order.id}/shipping-address`, { ...address, line1: "Changed" }), who.cookie)), 403, "PUT address");
      expect((await api("GET", "/api/orders", { cookie: who.cookie })).json<{ id: string }[]>().map((o) => o.id)).not.toContain(order.id);
    }
    // The hold is 5 seconds in this system: by now the order may have expired, but nobody else cancelled it.
    const after = (await api("GET", `/api/orders/${order.id}`, { cookie: world.buyer.cookie })).json<{ status: string; cancelReason: string | null }>();
    expect(after.cancelReason).not.toBe("buyer");
    expect(["created", "cancelled"]).toContain(after.status);
    // Settle it, so the tests after this one find the catalog still.
    expect((await api("DELETE", `/api/orders/${order.id}`, { cookie: world.buyer.cookie })).status).toBe(204);
    await eventually(async () => expect((await api("GET", `/api/vinyls/${vinyl.id}`)).json()).toMatchObject({ status: "available", version: 2 }));
  });
});

describe("state-changing requests from another site", () => {
  const origins: [string, Record<string, string>][] = [
    ["Origin https://evil.example", { origin: "https://evil.example" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["both", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site (a sibling subdomain)", { "sec-fetch-site": "same-site" }],
    ["Origin null (a sandboxed frame)", { origin: "null" }],
    ["the same host on another port", { origin: "http://localhost:1" }],
    ["the same origin with a cross-site fetch", { origin: base, "sec-fetch-site": "cross-site" }],
  ];

  it("are refused with 403 on every state-changing route, and none of them changes anything", async () => {
    const before = await state();
    const newEmail = `cross-site-${crypto.randomUUID()}@example.com`;
    const photo = uniquePng();
    const requests: [string, Sent][] = [
      ["sign up", json("POST", "/api/users/signup", { email: newEmail, password: "needle-drop-42" })],
      ["sign in", json("POST", "/api/users/signin", { email: world.seller.email, password: world.seller.password })],
      ["sign out", withCookie({ method: "POST", path: "/api/users/signout" }, world.seller.cookie)],
      ["ask for a password reset", json("POST", "/api/users/password-reset", { email: world.seller.email })],
      ["use a password reset link", json("POST", "/api/users/password-reset/confirm", { token: "NotARealResetToken_0123456789abcdefghijklmn", newPassword: "needle-drop-43" })],
      ["list a record", withCookie(json("POST", "/api/vinyls", { ...LISTING, title: "Listed from another site" }), world.seller.cookie)],
      ["edit a record", withCookie(json("PUT", `/api/vinyls/${world.listing.id}`, { title: "Edited from another site" }), world.seller.cookie)],
      ["withdraw a record", withCookie({ method: "DELETE", path: `/api/vinyls/${world.listing.id}` }, world.seller.cookie)],
      ["upload a photo", withCookie({ method: "POST", path: "/api/vinyls/images", headers: { "content-type": "image/png" }, body: photo }, world.seller.cookie)],
      ["order a record", withCookie(json("POST", "/api/orders", { vinylId: world.ordered.id }), world.buyer.cookie)],
      ["cancel an order", withCookie({ method: "DELETE", path: `/api/orders/${world.order.id}` }, world.buyer.cookie)],
      ["give an address", withCookie(json("PUT", `/api/orders/${world.order.id}/shipping-address`, { name: "A", line1: "B", city: "C", postalCode: "D", country: "US" }), world.buyer.cookie)],
      ["ship an order", withCookie(json("POST", `/api/orders/${world.order.id}/shipment`, { carrier: "A", trackingNumber: "B" }), world.seller.cookie)],
      ["confirm a delivery", withCookie({ method: "POST", path: `/api/orders/${world.order.id}/delivery` }, world.buyer.cookie)],
      ["leave feedback", withCookie(json("POST", `/api/orders/${world.order.id}/feedback`, { rating: "negative" }), world.buyer.cookie)],
      ["reply to feedback", withCookie(json("POST", `/api/orders/${world.order.id}/feedback/reply`, { reply: "A" }), world.seller.cookie)],
      ["save a want", withCookie(json("POST", "/api/wants", { q: "saved from another site" }), world.stranger.cookie)],
      ["delete a want", withCookie({ method: "DELETE", path: `/api/wants/${world.want.id}` }, world.seller.cookie)],
    ];
    const problems: string[] = [];
    for (const [originName, headers] of origins) {
      for (const [name, sent] of requests) {
        const answer = await attack({ ...sent, headers: { ...sent.headers, ...headers } });
        if (answer.status !== 403 || errorShapeProblem(answer)) problems.push(`${name} with ${originName}: ${answer.status} ${answer.text.slice(0, 120)}`);
        if (answer.headers["set-cookie"]) problems.push(`${name} with ${originName} set a cookie`);
      }
    }
    expect(problems).toEqual([]);
    expect(await state()).toEqual(before);
    expect((await api("POST", "/api/users/signin", { json: { email: newEmail, password: "needle-drop-42" } })).status).toBe(400);
    expect((await api("GET", imagePath(photo))).status).toBe(404);
  });

  it("the control: the same requests from the shop's own pages go through", async () => {
    const sameOrigin = { origin: base, "sec-fetch-site": "same-origin" };
    const email = `same-site-${crypto.randomUUID()}@example.com`;
    const signup = await attack(json("POST", "/api/users/signup", { email, password: "needle-drop-42" }, sameOrigin));
    expect(signup.status).toBe(201);
    const photo = uniquePng();
    const upload = await attack(withCookie({ method: "POST", path: "/api/vinyls/images", headers: { "content-type": "image/png", ...sameOrigin }, body: photo }, world.seller.cookie));
    expect(upload.status).toBe(201);
    expect(JSON.parse(upload.text)).toEqual({ imageUrl: imagePath(photo) });
  });
});

describe("guessing a password", () => {
  it("answers 429 after 10 failures for one email, however it is spelled, even for the right password; other accounts are unaffected", async () => {
    const victim = await signUp("victim");
    const guesser = { "cf-connecting-ip": newClientAddress() };
    const spellings = [victim.email, victim.email.toUpperCase(), `  ${victim.email}\t`];
    for (let i = 0; i < 10; i++) {
      const answer = await attack(json("POST", "/api/users/signin", { email: spellings[i % 3], password: `wrong-guess-${i}` }, guesser));
      expectRefused(answer, 400, `guess ${i + 1}`);
      expect(JSON.parse(answer.text)).toEqual({ errors: [{ message: "Invalid credentials" }] });
    }
    for (const password of ["wrong-guess-10", victim.password]) {
      const answer = await attack(json("POST", "/api/users/signin", { email: victim.email, password }, guesser));
      expectRefused(answer, 429, "after ten failures");
      const retryAfter = Number(answer.headers["retry-after"]);
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 15 * 60).toBe(true);
      expect(answer.headers["set-cookie"]).toBeUndefined();
    }
    // The guesses locked out only the client that made them: the owner, elsewhere, signs in.
    const owner = await api("POST", "/api/users/signin", { json: { email: victim.email, password: victim.password }, headers: { "cf-connecting-ip": newClientAddress() } });
    expect(owner.status, owner.text).toBe(200);
    expect((await api("POST", "/api/users/signin", { json: { email: world.stranger.email, password: world.stranger.password } })).status).toBe(200);
  });

  it("does not count requests refused before the password is checked (invalid input, other sites)", async () => {
    const victim = await signUp("patient");
    const client = { "cf-connecting-ip": newClientAddress() };
    for (let i = 0; i < 12; i++) {
      expectRefused(await attack(json("POST", "/api/users/signin", { email: victim.email, password: "" }, client)), 400, "an empty password");
      expectRefused(await attack(json("POST", "/api/users/signin", { email: victim.email, password: `guess-${i}` }, { ...client, origin: "https://evil.example" })), 403, "from another site");
    }
    expect((await api("POST", "/api/users/signin", { json: { email: victim.email, password: victim.password }, headers: client })).status).toBe(200);
  });
});

describe("guessing across many accounts from one client", () => {
  /** Sends `next()` until an answer is not `passing`, at most `max` times: the answers' count and the last. */
  async function until(passing: number, max: number, next: (i: number) => Sent) {
    let answer: Answer | undefined;
    let tried = 0;
    while (tried < max) {
      answer = await attack(next(tried++));
      if (answer.status !== passing) break;
    }
    return { tried, answer: answer! };
  }

  // Each budget counts per minute on the wall clock: twice the budget plus one attempts span
  // at most two minutes, so a 429 must come by then however the minutes fall.
  it("slows a client trying one password on many accounts (spraying) to 30 sign-ins a minute: 429", async () => {
    const client = { "cf-connecting-ip": newClientAddress() };
    const { tried, answer } = await until(400, 61, (i) =>
      json("POST", "/api/users/signin", { email: `sprayed-${i}-${crypto.randomUUID()}@example.com`, password: "Summer2026!" }, client),
    );
    expect(tried).toBeGreaterThan(30);
    expectRefused(answer, 429, "the client's 31st sign-in of the minute");
    expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
  });
});

describe("one buyer ordering in a loop", () => {
  // The budget is 30 orders in any 60 seconds, read off the buyer's own orders.
  it("slows one buyer creating orders (order, cancel, order again) to 30 a minute: 429", async () => {
    const hasty = await signUp("hasty");
    const seller = await signUp("hasty-seller");
    const listed = await api("POST", "/api/vinyls", { cookie: seller.cookie, json: { ...LISTING, title: "Ordered in a loop" } });
    const { id } = listed.json<{ id: string }>();
    // Known to orders once the seller's own order for it is refused as theirs.
    await eventually(async () => expect((await api("POST", "/api/orders", { cookie: seller.cookie, json: { vinylId: id } })).status).toBe(403));
    let answer: Answer | undefined;
    let tried = 0;
    while (tried < 61) {
      tried++;
      answer = await attack(withCookie(json("POST", "/api/orders", { vinylId: id }), hasty.cookie));
      if (answer.status !== 201) break;
      expect((await attack(withCookie({ method: "DELETE", path: `/api/orders/${JSON.parse(answer.text).id}` }, hasty.cookie))).status).toBe(204);
    }
    expect(tried).toBeGreaterThan(30);
    expectRefused(answer!, 429, "the buyer's 31st order of the minute");
    // Until the first of them is a minute old: under a minute away, however long the loop took.
    expect(Number(answer!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(answer!.headers["retry-after"])).toBeLessThanOrEqual(60);
  });
});

describe("a Stripe webhook forged with the sandbox's public secret", () => {
  /** A paid `checkout.session.completed` for `orderId`, as an attacker would write it. */
  const paidEvent = (orderId: string, sessionId: string, amount: number) =>
    JSON.stringify({
      id: `evt_forged_${crypto.randomUUID()}`,
      object: "event",
      type: "checkout.session.completed",
      data: {
        object: {
          id: sessionId,
          object: "checkout.session",
          status: "complete",
          payment_status: "paid",
          amount_total: amount,
          currency: "usd",
          client_reference_id: orderId,
          metadata: { orderId },
          payment_intent: "pi_forged",
        },
      },
    });

  it("pays for nothing: an invented session, or the buyer's own session for 1 cent, is acknowledged and recorded nowhere", async () => {
    const buyer = await signUp("forger");
    const res = await api("POST", "/api/vinyls", { cookie: world.seller.cookie, json: { ...LISTING, title: "Paid for with a forged webhook", price: 32.5 } });
    const vinyl = res.json<{ id: string }>();
    const order = await eventually(async () => {
      const placed = await api("POST", "/api/orders", { cookie: buyer.cookie, json: { vinylId: vinyl.id } });
      expect(placed.status).toBe(201);
      return placed.json<{ id: string }>();
    });
    // The hold here is 5 seconds: by the time checkout opens the order may have ended (409).
    const opened = await eventually(async () => {
      const answer = await api("POST", "/api/payments/checkout", { cookie: buyer.cookie, json: { orderId: order.id } });
      expect([201, 409]).toContain(answer.status);
      return answer;
    });
    const sessions = [`cs_test_${crypto.randomUUID().replaceAll("-", "")}`];
    if (opened.status === 201) sessions.push(opened.json<{ sessionId: string }>().sessionId);
    for (const sessionId of sessions) {
      const payload = paidEvent(order.id, sessionId, 1);
      const answer = await attack({
        method: "POST",
        path: "/api/payments/webhook",
        headers: { "content-type": "application/json", "stripe-signature": signWithSandboxSecret(payload) },
        body: payload,
      });
      expect(answer.status, answer.text).toBe(200);
    }
    // Payments records a payment in the webhook's own request: none was, so nothing is paid
    // (402 while the order holds, 409 once its hold ended).
    const confirmed = await api("POST", "/api/payments", { cookie: buyer.cookie, json: { orderId: order.id } });
    expect([402, 409], confirmed.text).toContain(confirmed.status);
    expect((await api("GET", `/api/orders/${order.id}`, { cookie: buyer.cookie })).json<{ status: string }>().status).not.toBe("complete");
    await api("DELETE", `/api/orders/${order.id}`, { cookie: buyer.cookie });
  });
});

describe("files that pretend to be photos", () => {
  const pretenders = DISGUISED.slice(0, 4);

  it.each(pretenders.map(([name, bytes]) => [name, bytes] as const))("%s is refused with 415 however it is labelled, and never stored", async (_name, bytes) => {
    const unique = Buffer.concat([bytes, Buffer.from(`<!-- ${crypto.randomUUID()} -->`)]);
    const sends: Sent[] = [
      { method: "POST", path: "/api/vinyls/images", headers: { "content-type": "image/png" }, body: unique },
      { method: "POST", path: "/api/vinyls/images", headers: { "content-type": "image/jpeg" }, body: unique },
      { method: "POST", path: "/api/vinyls/images", headers: { "content-type": MULTIPART }, body: multipartFile(unique, { filename: "cover.png", type: "image/png" }) },
      { method: "POST", path: "/api/vinyls/images", headers: { "content-type": MULTIPART }, body: multipartFile(unique, { filename: "cover.jpg.png", type: "image/jpeg" }) },
      { method: "POST", path: "/api/vinyls/images", headers: { "content-type": MULTIPART }, body: multipartFile(unique, { filename: "../../cover.webp", type: "image/webp" }) },
    ];
    for (const sent of sends) expectRefused(await attack(withCookie(sent, world.seller.cookie)), 415, String(sent.headers!["content-type"]));
    for (const ext of ["png", "jpg", "webp", "avif"]) expect((await api("GET", imagePath(unique, ext))).status).toBe(404);
  });

  it("a PNG with HTML after its signature is stored as a PNG and only ever served as image/png, never sniffed", async () => {
    const polyglot = Buffer.concat([PNG.subarray(0, 8), Buffer.from(`<html><script>alert(document.cookie)</script>${crypto.randomUUID()}</html>`)]);
    const upload = await attack(withCookie({ method: "POST", path: "/api/vinyls/images", headers: { "content-type": "text/html" }, body: polyglot }, world.seller.cookie));
    expect(upload.status).toBe(201);
    const { imageUrl } = JSON.parse(upload.text) as { imageUrl: string };
    expect(imageUrl).toBe(imagePath(polyglot));
    const served = await attack({ method: "GET", path: imageUrl, headers: { accept: "text/html" } });
    expect(served.status).toBe(200);
    expect(served.headers["content-type"]).toBe("image/png");
    expect(served.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("paths that try to climb out of /images", () => {
  const hex = "ab".repeat(32);
  // Each stays one segment under /images (the escapes are not separators): an unknown photo.
  const unknownKeys = [
    "..%2f..%2fapi%2fusers%2fcurrentuser",
    "%2e%2e%2fapi%2fvinyls",
    "%2e%2e%2f%2e%2e%2fwrangler.toml",
    "%252e%252e%252fapi%252fvinyls",
    "%25252e%25252e%25252f",
    "..%5c..%5capi%5cvinyls",
    "..%255c..%255capi",
    "..%c0%af..%c0%afapi",
    `${hex}.png%00.html`,
    `${hex}.png%2f..%2f..%2fapi`,
    `${hex}.png;.html`,
    `${hex}.png%20`,
    `%20${hex}.png`,
    `${hex.toUpperCase()}.png`,
    `${hex}.PNG`,
    `${hex}.svg`,
    `${hex}.html`,
    `${hex}.png.php`,
    `${hex}.png`,
    `${hex}.webp`,
    "%00",
    "%",
    "%zz",
    "%ff%fe",
    encodeURIComponent("東京.png"),
    encodeURIComponent("🎵.png"),
    `${"x".repeat(8_000)}.png`,
    `${hex.repeat(250)}.png`,
  ];
  // Dot segments and backslashes are resolved by URL parsing before any route is chosen.
  const resolvedByTheUrl = ["%2e%2e", "%2e%2e/api/vinyls", "..\\..\\api\\vinyls", "a/../../api/vinyls", ".%2e/.%2e/api/vinyls", "%2E%2E/%2E%2E/api/users/currentuser"];

  it("an escaped traversal, double encoding, a backslash, a NUL or an absurdly long key is an unknown photo: 404, never 5xx", async () => {
    const problems: string[] = [];
    for (const key of unknownKeys) {
      for (const method of ["GET", "HEAD"]) {
        const answer = await attack({ method, path: `/images/${key}` });
        if (answer.status !== 404 || (method === "GET" && errorShapeProblem(answer))) problems.push(`${method} /images/${key.slice(0, 80)}: ${answer.status} ${answer.text.slice(0, 120)}`);
      }
    }
    const conditional = await attack({ method: "GET", path: `/images/${hex}.png`, headers: { "if-none-match": "*" } });
    if (conditional.status !== 404) problems.push(`If-None-Match * on an unknown photo: ${conditional.status}`);
    expect(problems).toEqual([]);
  });

  it("dot segments are resolved as in any URL, to a path under the origin: answered as that path, never as a photo, never 5xx", async () => {
    for (const key of resolvedByTheUrl) {
      const path = `/images/${key}`;
      const resolved = new URL(path, base).pathname;
      const answer = await attack({ method: "GET", path });
      const direct = await api("GET", resolved);
      expect(answer.status, `${path} → ${resolved}`).toBeLessThan(500);
      expect(answer.status, `${path} → ${resolved}`).toBe(direct.status);
      expect(String(answer.headers["content-type"])).not.toMatch(/^image\//);
    }
  });
});

describe("text a browser could never send", () => {
  // zod counts a lone surrogate as one character, but D1 stores it as three U+FFFD.
  it("refuses a title of lone surrogates, which would be stored at three times its length", async () => {
    const body = `{"title":"${"\\ud800".repeat(200)}","price":25,"genre":"Jazz"}`;
    const res = await attack({ method: "POST", path: "/api/vinyls", headers: { "content-type": "application/json", cookie: world.stranger.cookie }, body });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ errors: [{ field: "title", message: "Title must be valid text" }] });
  });

  // Hashing encodes UTF-8, where every lone surrogate becomes U+FFFD.
  it("refuses passwords of lone surrogates, which would hash alike", async () => {
    const email = `surrogate-${crypto.randomUUID()}@example.com`;
    const signup = await attack({ method: "POST", path: "/api/users/signup", headers: { "content-type": "application/json" }, body: `{"email":"${email}","password":"${"\\ud800".repeat(8)}"}` });
    expect(signup.status).toBe(400);
    expect(JSON.parse(signup.text)).toEqual({ errors: [{ field: "password", message: "Password must be valid text" }] });
  });
});

describe("the pages, attacked as the API is", () => {
  const form = (path: string, body: string, headers: Record<string, string> = {}): Sent => ({
    method: "POST",
    path,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });

  it("never send a signed-in visitor to another host, however `next` hides it", async () => {
    const problems: string[] = [];
    for (const next of ["/.//evil.example/x", "/%2e%2e//evil.example/x", "/a/..//evil.example/x", "//evil.example/x", "/\\evil.example/x", "https://evil.example/x"]) {
      const answer = await attack(withCookie({ method: "GET", path: `/signin?next=${encodeURIComponent(next)}` }, world.seller.cookie));
      const location = String(answer.headers.location ?? "");
      if (answer.status !== 303 || !location.startsWith("/") || location.startsWith("//") || location.startsWith("/\\")) {
        problems.push(`${next}: ${answer.status} Location ${location}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("answer 404, not 500, for ids with line breaks and other control characters", async () => {
    const problems: string[] = [];
    for (const path of ["/orders/%0aX/pay", "/orders/%0aX/cancel", "/vinyls/%0d%0aX/buy", "/vinyls/%0d%0aX", "/orders/%00", "/vinyls/%E0%A4%A"]) {
      for (const method of ["GET", "POST"]) {
        const sent: Sent = method === "GET" ? { method, path } : form(path, "x=1", { origin: base });
        const answer = await attack(withCookie(sent, world.buyer.cookie));
        if (answer.status !== 404) problems.push(`${method} ${path}: ${answer.status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("refuse a form body larger than a page form can need with 413, before reading it", async () => {
    const before = await state();
    const huge = `email=${"a".repeat(2 * 1024 * 1024)}&password=x`;
    const signin = await attack(form("/signin", huge, { origin: base }));
    expect(signin.status).toBe(413);
    // The sell form carries a photo: it reads a few megabytes too many to say so beside the
    // field, and refuses a body far beyond any photo outright.
    const sell = await attack(withCookie(form("/vinyls/new", "x".repeat(20 * 1024 * 1024), { origin: base }), world.seller.cookie));
    expect(sell.status).toBe(413);
    expect(await state()).toEqual(before);
  });

  it("refuse a state change from another site whatever its content type", async () => {
    const before = await state();
    const problems: string[] = [];
    for (const type of ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream"]) {
      for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }] as Record<string, string>[]) {
        const sent: Sent = { method: "POST", path: `/vinyls/${world.listing.id}/withdraw`, headers: { "content-type": type, ...headers }, body: "{}" };
        const answer = await attack(withCookie(sent, world.seller.cookie));
        if (answer.status !== 403) problems.push(`${type} ${JSON.stringify(headers)}: ${answer.status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it("can be framed by no other site and load scripts only from the shop and Stripe", async () => {
    for (const path of ["/", "/signin", `/vinyls/${world.listing.id}`, "/api/docs"]) {
      const answer = await attack({ method: "GET", path });
      expect(answer.status, path).toBe(200);
      expect(answer.headers["x-frame-options"], path).toBe("DENY");
      const csp = String(answer.headers["content-security-policy"]);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self' 'unsafe-inline' https://js.stripe.com");
      expect(csp, path).toContain("object-src 'none'");
    }
  });
});

describe("one account against the whole shelf, and sign-ups in bulk", () => {
  it("holds at most three unpaid records per buyer: the fourth order is 409 and leaves that record on sale", async () => {
    const hoarder = await signUp("hoarder");
    const records: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api("POST", "/api/vinyls", { cookie: world.seller.cookie, json: { ...LISTING, title: `Shelf ${i} ${crypto.randomUUID()}` } });
      expect(res.status).toBe(201);
      records.push(res.json<{ id: string }>().id);
    }
    for (const id of records.slice(0, 3)) {
      await eventually(async () => expect((await attack(withCookie(json("POST", "/api/orders", { vinylId: id }), hoarder.cookie))).status).toBe(201));
    }
    const fourth = await eventually(async () => {
      const answer = await attack(withCookie(json("POST", "/api/orders", { vinylId: records[3] }), hoarder.cookie));
      expect(answer.status).not.toBe(404);
      return answer;
    });
    expectRefused(fourth, 409, "a fourth unpaid hold");
    expect(JSON.parse(fourth.text)).toEqual({ errors: [{ message: "You already hold 3 records: pay for one or cancel it first" }] });
    expect((await api("GET", `/api/vinyls/${records[3]}`)).json<{ status: string }>().status).toBe("available");
  });

  it("lets one client sign up at most ten accounts a minute: the eleventh is 429 and creates nothing", async () => {
    const client = { "cf-connecting-ip": "192.0.2.201" };
    await inOneRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const answer = await attack(json("POST", "/api/users/signup", { email: `bulk-${i}-${crypto.randomUUID()}@example.com`, password: "needle-drop-42" }, client));
      statuses.push(answer.status);
      if (i === 10) {
        expectRefused(answer, 429, "the eleventh sign-up");
        expect(answer.headers["retry-after"]).toBe("60");
        expect(answer.headers["set-cookie"]).toBeUndefined();
      }
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
  });
});

describe("password reset links", () => {
  const ask = (email: string, client: Record<string, string>) => attack(json("POST", "/api/users/password-reset", { email }, client));
  const resetMails = async (to: string) =>
    (await api("GET", `/_dev/mailbox/messages?to=${encodeURIComponent(to)}`)).json<{ messages: { kind: string; text: string }[] }>().messages.filter((m) => m.kind === "password_reset");
  const tokenIn = (text: string) => /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(text)![1]!;

  it("lets one client ask at most five times a minute, for known and unknown emails alike: the sixth is 429 and sends nothing", async () => {
    const client = { "cf-connecting-ip": "192.0.2.211" };
    const victim = await signUp("reset-flood");
    await inOneRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await ask(`nobody-${i}-${crypto.randomUUID()}@example.com`, client)).status);
    expect(statuses).toEqual(Array(5).fill(202));
    const sixth = await ask(victim.email, client);
    expectRefused(sixth, 429, "the sixth reset request");
    expect(sixth.headers["retry-after"]).toBe("60");
    // The refused request sent nothing: a request from another client does, once.
    expect((await ask(victim.email, { "cf-connecting-ip": newClientAddress() })).status).toBe(202);
    await eventually(async () => expect(await resetMails(victim.email)).toHaveLength(1));
  });

  it("sends one account at most three links an hour however many clients ask, answering every request alike", async () => {
    const victim = await signUp("reset-bomb");
    const answers = await Promise.all(Array.from({ length: 8 }, () => ask(victim.email, { "cf-connecting-ip": newClientAddress() })));
    expect(answers.map((a) => [a.status, a.text])).toEqual(Array(8).fill([202, "{}"]));
    await eventually(async () => expect(await resetMails(victim.email)).toHaveLength(3));
    // Still three a moment later: the rest were never written.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await resetMails(victim.email)).toHaveLength(3);
    expect((await api("POST", "/api/users/signin", { json: { email: victim.email, password: victim.password } })).status).toBe(200);
  });

  it("refuses guessed, altered and reused tokens with the same 400, and none of them signs anyone in", async () => {
    const victim = await signUp("reset-guess");
    expect((await ask(victim.email, { "cf-connecting-ip": newClientAddress() })).status).toBe(202);
    const token = await eventually(async () => tokenIn((await resetMails(victim.email))[0]!.text));
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    const guesses = [
      ...Array.from({ length: 10 }, () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")),
      flip(token, 0),
      flip(token, 42),
      token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(),
      `${token}=`,
      token.slice(0, 42),
      ` ${token}`,
    ];
    for (const guess of guesses) {
      const answer = await attack(json("POST", "/api/users/password-reset/confirm", { token: guess, newPassword: "taken-over-1" }));
      expectRefused(answer, 400, `the token ${guess}`);
      expect(JSON.parse(answer.text)).toEqual({ errors: [{ field: "token", message: "This reset link is invalid or has expired" }] });
      expect(answer.headers["set-cookie"]).toBeUndefined();
    }
    expect((await api("POST", "/api/users/signin", { json: { email: victim.email, password: victim.password } })).status).toBe(200);

    const used = await attack(json("POST", "/api/users/password-reset/confirm", { token, newPassword: "the-owner-chose-this" }));
    expect(used.status).toBe(200);
    const reused = await attack(json("POST", "/api/users/password-reset/confirm", { token, newPassword: "taken-over-2" }));
    expectRefused(reused, 400, "a used link");
    expect((await api("POST", "/api/users/signin", { json: { email: victim.email, password: "the-owner-chose-this" } })).status).toBe(200);
  });

  it("refuses the reset pages' forms posted from another site", async () => {
    const forms: [string, string][] = [
      ["/forgot-password", "email=someone%40example.com"],
      ["/reset-password", "token=NotARealResetToken_0123456789abcdefghijklmn&newPassword=taken-over-3"],
    ];
    for (const [path, body] of forms) {
      const answer = await attack({ method: "POST", path, headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" }, body });
      expect(answer.status, path).toBe(403);
      expect(answer.headers["set-cookie"], path).toBeUndefined();
    }
  });
});
