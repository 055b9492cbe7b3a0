import { GENRES, MEDIA_GRADES, SLEEVE_GRADES, VINYL_STATUSES } from "../../../schema/vocabulary";
import type { Genre, MediaGrade, SellerName, SleeveGrade, Vinyl, VinylStatus } from "./catalog-api";

export { GENRES, MEDIA_GRADES, SLEEVE_GRADES, VINYL_STATUSES };

/** Goldmine grades in words, best first. */
export const GRADE_NAMES: Record<SleeveGrade, string> = {
  M: "Mint",
  NM: "Near Mint",
  "VG+": "Very Good Plus",
  VG: "Very Good",
  "G+": "Good Plus",
  G: "Good",
  F: "Fair",
  P: "Poor",
  GENERIC: "Generic sleeve",
  NOT_GRADED: "Not graded",
  NO_COVER: "No cover",
};

/** "VG+ Very Good Plus"; the sleeve extras read as words only ("Generic sleeve"). */
export function gradeLabel(grade: SleeveGrade): string {
  return (MEDIA_GRADES as readonly string[]).includes(grade) ? `${grade} ${GRADE_NAMES[grade]}` : GRADE_NAMES[grade];
}

export const isMediaGrade = (value: string): value is MediaGrade => (MEDIA_GRADES as readonly string[]).includes(value);
export const isSleeveGrade = (value: string): value is SleeveGrade => (SLEEVE_GRADES as readonly string[]).includes(value);
export const isGenre = (value: string): value is Genre => (GENRES as readonly string[]).includes(value);

/** Genre names as people write them; the API's names stay in URLs and forms. */
const GENRE_NAMES: Partial<Record<Genre, string>> = {
  HipHop: "Hip-Hop",
  RnB: "R&B",
  KPop: "K-Pop",
  JPop: "J-Pop",
};
export const genreName = (genre: Genre): string => GENRE_NAMES[genre] ?? genre;

// Building an Intl formatter costs far more than using one, and a page of cards formats
// dozens of prices: each formatter is built on first use and kept for the isolate's life.
const priceFormats = new Map<string, Intl.NumberFormat>();

/** `price` in the record's currency: "$24.00". */
export function formatPrice(price: number, currency: string): string {
  try {
    let format = priceFormats.get(currency);
    if (!format) {
      format = new Intl.NumberFormat("en-US", { style: "currency", currency });
      priceFormats.set(currency, format);
    }
    return format.format(price);
  } catch {
    // An unknown currency code must not take the page down.
    return `${price.toFixed(2)} ${currency}`;
  }
}

let dateFormat: Intl.DateTimeFormat | undefined;

/** A date such as "24 Nov 2026". */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  dateFormat ??= new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return dateFormat.format(date);
}

/** A seller named without giving away their account: the first block of their id. */
export const shortSellerId = (userId: string): string => `Seller ${userId.slice(0, 8)}`;

/** How a person is named on a page: their display name, else their username. */
export const personName = (name: SellerName): string => name.displayName || name.username;

/** The seller of a record by name; by the first block of their id until their profile reached the catalog. */
export const sellerLabel = (vinyl: Pick<Vinyl, "seller" | "userId">): string =>
  vinyl.seller ? personName(vinyl.seller) : shortSellerId(vinyl.userId);

/** The seller's public page, or null while their profile is unknown. */
export const sellerHref = (seller: SellerName | null): string | null =>
  seller ? `/sellers/${encodeURIComponent(seller.username)}` : null;

export const STATUS_NAMES: Record<VinylStatus, string> = {
  available: "Available",
  reserved: "Reserved",
  sold: "Sold",
  withdrawn: "Withdrawn",
};

/** What the record's state means for a shopper, or for its seller. */
export function statusExplanation(vinyl: Pick<Vinyl, "status">, ownListing: boolean): string {
  switch (vinyl.status) {
    case "available":
      return ownListing ? "Listed and visible to shoppers." : "For sale now.";
    case "reserved":
      return ownListing
        ? "A buyer is paying for it. It cannot be edited or withdrawn meanwhile."
        : "A buyer is checking out with this record. If they don't pay in time, it comes back.";
    case "sold":
      return ownListing ? "Sold. Thank you for passing it on." : "This record has found a new home.";
    case "withdrawn":
      return ownListing ? "You withdrew this listing; shoppers no longer see it." : "The seller withdrew this listing.";
  }
}

/** The record's name for a page title or a label: "Kind of Blue by Miles Davis". */
export const vinylName = (vinyl: Pick<Vinyl, "title" | "artist">): string =>
  vinyl.artist ? `${vinyl.title} by ${vinyl.artist}` : vinyl.title;
