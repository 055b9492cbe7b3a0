/** A form of one sale on the Sales page that came back refused, with what was typed. */
export type SaleForm = {
  kind: "ship" | "reply";
  values: Record<string, string>;
  fieldErrors: Record<string, string>;
  errors: string[];
};
