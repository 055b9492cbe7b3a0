import { callApi } from "./api";
import { isCountry } from "./countries";

/**
 * The country the signed-in visitor gave in their profile (`GET /api/users/currentuser`),
 * or null when they gave none, are anonymous, or the accounts service cannot say: the
 * pages that use it then simply do without.
 */
export async function viewerCountry(request: Request): Promise<string | null> {
  const res = await callApi("AUTH", request, "/api/users/currentuser");
  if (!res?.ok) {
    await res?.body?.cancel();
    return null;
  }
  const body = (await res.json().catch(() => null)) as { currentUser?: { country?: unknown } | null } | null;
  const country = body?.currentUser?.country;
  return typeof country === "string" && isCountry(country) ? country : null;
}
