import { COUNTRIES } from "../../../schema/vocabulary";

let regionNames: Intl.DisplayNames | undefined;

/** "DE" → "Germany"; an unknown code is shown as it is. */
export function countryName(code: string): string {
  // Built on first use and kept: constructing an Intl formatter costs far more than using one.
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

let options: { value: string; label: string }[] | undefined;

/** Every country a record can ship to, by name, for a `<select>`. */
export function countryOptions(): readonly { value: string; label: string }[] {
  options ??= COUNTRIES.map((code) => ({ value: code, label: countryName(code) })).sort((a, b) => a.label.localeCompare(b.label, "en"));
  return options;
}
