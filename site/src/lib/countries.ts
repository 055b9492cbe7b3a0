import { COUNTRIES } from "../../../schema/vocabulary";

export { COUNTRIES };

// Built once per isolate: a formatter costs far more to build than to use.
let names: Intl.DisplayNames | undefined;

/** A country's name in English from its ISO 3166-1 alpha-2 code ("DE" → "Germany"); the code itself when unknown. */
export function countryName(code: string): string {
  try {
    names ??= new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
    return names.of(code) ?? code;
  } catch {
    // A code Intl cannot read must not take the page down.
    return code;
  }
}

export const isCountry = (code: string): boolean => COUNTRIES.includes(code);

let options: { value: string; label: string }[] | undefined;

/** Every country the shop ships between, as `<select>` options sorted by name. */
export function countryOptions(): readonly { value: string; label: string }[] {
  options ??= COUNTRIES.map((code) => ({ value: code, label: countryName(code) })).sort((a, b) => a.label.localeCompare(b.label, "en"));
  return options;
}
