import type { wants } from "../../../../schema/tables/notifications";
import type { EmailData } from "./kinds";
import type { Message } from "./layout";

export type Context = {
  /** The shop's public origin, without a trailing slash. */
  shop: string;
  /** Public names (display name, else username) of the people an email may name, by user id. */
  names: ReadonlyMap<string, string>;
  /** The want a wantlist alert is for, and the link that deletes it. */
  want?: { row: typeof wants.$inferSelect; unsubscribeUrl: string };
  /** A reset email's link, its token opened from the seal it was kept under. */
  resetUrl?: string;
};

export const money = (cents: number, currency: string) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency }).format(cents / 100);

const clock = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
/** A moment as the email states it; the reader's time zone is unknown, so UTC, said so. */
export const when = (iso: string) => `${clock.format(new Date(iso))} UTC`;

const quoted = (title: string) => `“${title}”`;

/** The want's criteria in words: `“miles”, by Miles Davis, Jazz, VG+ or better, at most $40.00`. */
export function describeWant(want: typeof wants.$inferSelect): string {
  const parts: string[] = [];
  if (want.q) parts.push(quoted(want.q));
  if (want.artist) parts.push(`by ${want.artist}`);
  if (want.genre) parts.push(want.genre);
  if (want.condition) parts.push(`${want.condition} or better`);
  if (want.maxPriceCents !== null) parts.push(`at most ${money(want.maxPriceCents, "USD")}`);
  return parts.join(", ");
}

/** The words of each email. Every link points at the shop's own pages. */
export function compose(data: EmailData, ctx: Context): Message {
  const order = (id: string) => `${ctx.shop}/orders/${id}`;
  switch (data.kind) {
    case "order_held":
      return {
        subject: `Held for you: ${data.title}`,
        paragraphs: [
          `${quoted(data.title)} is held for you at ${money(data.priceCents, data.currency)} until ${when(data.expiresAt)}.`,
          "Pay before then and it is yours; after that it goes back on sale.",
        ],
        action: { label: "Pay now", url: order(data.orderId) },
      };
    case "hold_ending":
      return {
        subject: `Your hold on ${data.title} ends soon`,
        paragraphs: [`Your hold on ${quoted(data.title)} ends at ${when(data.expiresAt)}, in a few minutes.`, "Pay now to keep it."],
        action: { label: "Pay now", url: order(data.orderId) },
      };
    case "hold_expired":
      return {
        subject: `Your hold on ${data.title} has ended`,
        paragraphs: [`Your hold on ${quoted(data.title)} ended before it was paid, so the record is back on sale.`],
        action: { label: "See if it is still available", url: `${ctx.shop}/vinyls/${data.vinylId}` },
      };
    case "receipt":
      return {
        subject: `Receipt: ${data.title}`,
        paragraphs: [
          `Thank you: your payment for ${quoted(data.title)} went through.`,
          data.shippingCents === null
            ? `Total paid: ${money(data.totalCents, data.currency)}.`
            : `Record ${money(data.priceCents, data.currency)} + shipping ${money(data.shippingCents, data.currency)} = total paid ${money(data.totalCents, data.currency)}.`,
          "The seller ships it next; we will write when it is on its way.",
        ],
        action: { label: "See your order", url: order(data.orderId) },
      };
    case "sold": {
      const buyer = ctx.names.get(data.buyerId);
      return {
        subject: `You sold a record: ${data.title}`,
        paragraphs: [
          `${buyer ? buyer : "A buyer"} bought ${quoted(data.title)} for ${money(data.totalCents, data.currency)}${
            data.shippingCents === null ? "" : ` (${money(data.shippingCents, data.currency)} of it shipping)`
          }.`,
          `What to ship: ${quoted(data.title)}, to the address on your Sales page. Add the carrier and tracking number there once it is on its way.`,
        ],
        action: { label: "Open your sales", url: `${ctx.shop}/sales` },
      };
    }
    case "shipped":
      return {
        subject: `On its way: ${data.title}`,
        paragraphs: [
          `${quoted(data.title)} was shipped on ${when(data.shippedAt)}.`,
          `Carrier: ${data.carrier}. Tracking number: ${data.trackingNumber}.`,
        ],
        action: { label: "Follow your order", url: order(data.orderId) },
      };
    case "delivered":
      return {
        subject: `Delivered: ${data.title}`,
        paragraphs: [`${quoted(data.title)} was delivered on ${when(data.deliveredAt)}. The sale is complete.`],
        action: { label: "Open your sales", url: `${ctx.shop}/sales` },
      };
    case "feedback": {
      const buyer = ctx.names.get(data.buyerId) ?? "Your buyer";
      return {
        subject: `New ${data.rating} feedback: ${data.title}`,
        paragraphs: [
          `${buyer} left ${data.rating} feedback on ${quoted(data.title)}.`,
          ...(data.comment ? [`“${data.comment}”`] : []),
          "You may reply once, from your Sales page; the reply is shown with the feedback on your seller page.",
        ],
        action: { label: "Reply on your Sales page", url: `${ctx.shop}/sales#sale-${data.orderId}` },
      };
    }
    case "refund":
      return {
        subject: `Refund: ${data.title}`,
        paragraphs: [
          `We refunded ${money(data.amountCents, data.currency)} for ${quoted(data.title)}: the payment arrived after the order had ended.`,
          "Your bank shows it within a few days.",
        ],
        action: { label: "See your order", url: order(data.orderId) },
      };
    case "password_reset":
      if (!ctx.resetUrl) throw new Error("a password reset email needs its link");
      return {
        subject: "Reset your Oscillation password",
        paragraphs: [
          "Someone, we hope you, asked to reset the password of your Oscillation account.",
          `The link below works once, for 30 minutes: until ${when(data.expiresAt)}. Using it signs you out everywhere else.`,
          "If you did not ask, ignore this email: your password stays as it is.",
        ],
        action: { label: "Choose a new password", url: ctx.resetUrl },
      };
    case "want_match": {
      const { vinyl } = data;
      const byline = vinyl.artist ? ` by ${vinyl.artist}` : "";
      const grade = vinyl.mediaCondition ? `, media ${vinyl.mediaCondition}` : "";
      const price =
        data.previousPriceCents === null
          ? money(vinyl.priceCents, vinyl.currency)
          : `${money(vinyl.priceCents, vinyl.currency)} (was ${money(data.previousPriceCents, vinyl.currency)})`;
      const wanted = ctx.want ? describeWant(ctx.want.row) : "";
      return {
        subject: data.previousPriceCents === null ? `Just listed: ${vinyl.title}` : `Price drop: ${vinyl.title}`,
        paragraphs: [
          `${quoted(vinyl.title)}${byline} (${vinyl.genre}${grade}) is for sale at ${price}.`,
          ...(wanted ? [`It matches a want on your wantlist: ${wanted}.`] : []),
        ],
        action: { label: "See the record", url: `${ctx.shop}/vinyls/${vinyl.id}` },
        footer: ctx.want
          ? { text: "You get this because you saved this want.", link: { label: "Stop alerts for this want", url: ctx.want.unsubscribeUrl } }
          : undefined,
      };
    }
  }
}
