import type { Vinyl } from "./catalog-api";

type Shipping = Pick<Vinyl, "shipsFrom" | "shippingInternational">;

/** Whether the seller ships this record to `country`: at home always, abroad only with an international price. */
export const shipsTo = (vinyl: Shipping, country: string): boolean => country === vinyl.shipsFrom || vinyl.shippingInternational !== null;
