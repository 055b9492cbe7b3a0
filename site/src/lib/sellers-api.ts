import { USERNAME_PATTERN } from "../../../schema/vocabulary";
import { apiFailure, callApi, unknownId, type Result } from "./api";
import type { SellerName } from "./catalog-api";

/** A seller's public profile as `GET /api/sellers/:username` answers it (served by the accounts service). */
export type SellerProfile = {
  username: string;
  displayName: string | null;
  /** ISO 3166-1 alpha-2, or null when not given. */
  country: string | null;
  bio: string | null;
  memberSince: string;
};

export const FEEDBACK_RATINGS = ["positive", "neutral", "negative"] as const;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];

/** One buyer's feedback on a sale, with the seller's reply. */
export type SellerFeedback = {
  rating: FeedbackRating;
  comment: string | null;
  createdAt: string;
  reply: string | null;
  repliedAt: string | null;
  buyer: SellerName | null;
  vinyl: { id: string; title: string };
};

export type FeedbackSummary = { positive: number; neutral: number; negative: number; total: number; percentPositive: number | null };

/** `GET /api/sellers/:username/feedback` (served by the orders service). */
export type SellerFeedbackPage = { summary: FeedbackSummary; feedback: SellerFeedback[] };

/** Whether `username` could be anybody's at all (usernames are lower-case); anything else is simply unknown. */
export const isUsername = (username: string | undefined): username is string => typeof username === "string" && USERNAME_PATTERN.test(username);

const sellerPath = (username: string) => `/api/sellers/${encodeURIComponent(username)}`;

/** `GET /api/sellers/:username`: the seller's public profile; a malformed name is answered 404 without asking. */
export async function getSeller(request: Request, username: string | undefined): Promise<Result<{ seller: SellerProfile }>> {
  if (!isUsername(username)) return unknownId("Seller not found");
  const res = await callApi("AUTH", request, sellerPath(username));
  if (!res?.ok) return apiFailure(res);
  return { ok: true, seller: (await res.json()) as SellerProfile };
}

/** `GET /api/sellers/:username/feedback?limit=`: the summary and the newest feedback. */
export async function getSellerFeedback(request: Request, username: string, limit: number): Promise<Result<SellerFeedbackPage>> {
  const res = await callApi("ORDERS", request, `${sellerPath(username)}/feedback?limit=${limit}`);
  if (!res?.ok) return apiFailure(res);
  const body = (await res.json().catch(() => null)) as Partial<SellerFeedbackPage> | null;
  // Read defensively: a page about a seller should not fail on a part it can do without.
  if (!body?.summary || !Array.isArray(body.feedback)) return apiFailure(null);
  return { ok: true, summary: body.summary, feedback: body.feedback };
}

/** The share of positive ratings, as the orders service gives it or worked out from the counts; null with no ratings. */
export function percentPositive(summary: FeedbackSummary): number | null {
  if (typeof summary.percentPositive === "number") return summary.percentPositive;
  return summary.total > 0 ? Math.round((summary.positive / summary.total) * 1000) / 10 : null;
}
