import { getVinyl, type Vinyl } from "./catalog-api";
import { getOrder } from "./orders-api";

/**
 * The order `id` for its page, with the record as the catalog has it now (for its cover
 * and artist). The record is optional: the order alone is enough to show and act on.
 */
export async function orderWithRecord(request: Request, id: string | undefined) {
  const found = await getOrder(request, id);
  const record = found.ok ? await getVinyl(request, found.order.vinyl.id) : null;
  const vinyl: Vinyl | null = record?.ok ? record.vinyl : null;
  return { found, vinyl };
}
