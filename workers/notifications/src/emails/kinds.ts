import type { GENRES, MEDIA_GRADES } from "../../../../schema/events";
import type { FEEDBACK_RATINGS } from "../../../../schema/vocabulary";

/**
 * What each email states, as stored with it (`emails.data`) when the event that calls for
 * it is handled. The wording is rendered when it is sent (src/emails/templates.ts).
 */
export type EmailData =
  | { kind: "order_held"; orderId: string; title: string; priceCents: number; currency: string; expiresAt: string }
  | { kind: "hold_ending"; orderId: string; title: string; expiresAt: string }
  | { kind: "hold_expired"; orderId: string; vinylId: string; title: string }
  | { kind: "receipt"; orderId: string; title: string; priceCents: number; shippingCents: number | null; totalCents: number; currency: string }
  | {
      kind: "sold";
      orderId: string;
      title: string;
      buyerId: string;
      priceCents: number;
      shippingCents: number | null;
      totalCents: number;
      currency: string;
    }
  | { kind: "shipped"; orderId: string; title: string; carrier: string; trackingNumber: string; shippedAt: string }
  | { kind: "delivered"; orderId: string; title: string; deliveredAt: string }
  | { kind: "feedback"; orderId: string; title: string; buyerId: string; rating: (typeof FEEDBACK_RATINGS)[number]; comment: string | null }
  | { kind: "refund"; orderId: string; title: string; amountCents: number; currency: string }
  /** The reset link's token, sealed as auth sent it; kept only until the email is sent (`""` after). */
  | { kind: "password_reset"; sealedToken: string; expiresAt: string }
  | {
      kind: "want_match";
      vinyl: {
        id: string;
        title: string;
        artist: string | null;
        genre: (typeof GENRES)[number];
        priceCents: number;
        currency: string;
        mediaCondition: (typeof MEDIA_GRADES)[number] | null;
      };
      /** The price before it dropped, when a price drop is what made it match. */
      previousPriceCents: number | null;
    };

export type EmailKind = EmailData["kind"];
