import type { Vinyl } from "./catalog-api";

type Shipping = Pick<Vinyl, "shipsFrom" | "shippingInternational">;

/** Whether the seller ships this record to `country`: at home always, abroad only with an international price. */
export const shipsTo = (vinyl: Shipping, country: string): boolean => country === vinyl.shipsFrom || vinyl.shippingInternational !== null;

/**
 * Whether the record page must know the visitor's country before offering Buy: only a
 * signed-in shopper looking at someone else's record for sale that does not ship abroad
 * could be refused for where they live. Everyone else is spared the question.
 */
export const needsViewerCountry = (vinyl: Vinyl, user: { id: string } | null): boolean =>
  user !== null && vinyl.userId !== user.id && vinyl.status === "available" && vinyl.shippingInternational === null;
