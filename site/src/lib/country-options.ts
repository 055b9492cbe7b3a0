import { COUNTRIES } from "../../../schema/vocabulary";

let names: Intl.DisplayNames | undefined;

/** A country's English name from its ISO code ("DE" → "Germany"), or the code when unknown. */
export function countryName(code: string): string {
  names ??= new Intl.DisplayNames(["en"], { type: "region" });
  return names.of(code) ?? code;
}

let options: { value: string; label: string }[] | undefined;

/** Every country the shop knows, as `<select>` options sorted by name. Built once per isolate. */
export function countryOptions(): readonly { value: string; label: string }[] {
  options ??= COUNTRIES.map((code) => ({ value: code, label: countryName(code) })).sort((a, b) => a.label.localeCompare(b.label, "en"));
  return options;
}
