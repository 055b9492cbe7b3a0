import type { AstroGlobal } from "astro";
import { getVinyl, saveVinyl, uploadImage, VINYL_FIELDS, type Vinyl, type VinylInput } from "./catalog-api";
import { isCountry } from "./countries";
import { formText, methodNotAllowed, readForm, seeOther, setStatus, toSignIn } from "./http";

/**
 * The listing form's inputs, as typed. `imageUrl` is the hidden input holding the photo;
 * `noInternational` is the "Does not ship abroad" checkbox (`"1"` when ticked).
 */
export type VinylFormValues = Record<(typeof VINYL_FIELDS)[number] | "noInternational", string>;

/** Where a new listing ships from when the seller's profile names no country. */
export const DEFAULT_SHIPS_FROM = "US";

/** Largest photo the API accepts (shared/API.md), checked here too to spare the upload. */
export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/** What the sell and edit pages render. */
export type VinylFormState = {
  values: VinylFormValues;
  fieldErrors: Record<string, string>;
  errors: string[];
  /** The record being edited; null on the sell page. */
  vinyl: Vinyl | null;
  /** Why the form is not offered at all (someone else's record, or one that is reserved, sold or withdrawn). */
  refusal: { status: 403 | 409; message: string } | null;
};

/** A new form (shipping from `shipsFrom`, $5.00 at home), or the record's current values. */
export function formValues(vinyl: Vinyl | null, shipsFrom = DEFAULT_SHIPS_FROM): VinylFormValues {
  const text = (value: string | number | null | undefined) => (value === null || value === undefined ? "" : String(value));
  return {
    title: text(vinyl?.title),
    artist: text(vinyl?.artist),
    genre: text(vinyl?.genre),
    price: vinyl ? vinyl.price.toFixed(2) : "",
    description: text(vinyl?.description),
    imageUrl: text(vinyl?.imageUrl),
    mediaCondition: text(vinyl?.mediaCondition),
    sleeveCondition: text(vinyl?.sleeveCondition),
    format: text(vinyl?.format),
    year: text(vinyl?.year),
    label: text(vinyl?.label),
    shipsFrom: vinyl?.shipsFrom ?? shipsFrom,
    shippingDomestic: (vinyl?.shippingDomestic ?? 5).toFixed(2),
    shippingInternational: vinyl?.shippingInternational == null ? "" : vinyl.shippingInternational.toFixed(2),
    noInternational: vinyl && vinyl.shippingInternational === null ? "1" : "",
  };
}

const DECIMAL = /^\d+(\.\d+)?$/;
const WHOLE = /^\d+$/;

/** Friendlier words for a required field left blank than the API's type errors. */
const REQUIRED: Partial<Record<keyof VinylFormValues, string>> = {
  title: "Title is required",
  price: "Price is required",
  genre: "Choose a genre",
  shippingDomestic: "Domestic shipping is required",
};

/** Said when neither an international price nor "Does not ship abroad" was given. */
export const INTERNATIONAL_MISSING = "Enter the shipping abroad, or tick “Does not ship abroad”";

/** A typed amount as a number when it looks like one, else as typed so the API names the problem. */
const amount = (typed: string): number | string => (DECIMAL.test(typed.trim()) ? Number(typed.trim()) : typed);

/**
 * The API body for the typed values. Numbers go as numbers when they look like one, else as
 * typed so the API names the problem. A blank required field is left out of a new listing
 * and sent empty on an edit, so the API refuses it (an omitted field would keep its value).
 * Blank optional text is `""`, which the API reads as "none".
 */
export function toInput(values: VinylFormValues, editing: boolean): VinylInput {
  const blank = (v: string) => v.trim() === "";
  const input: VinylInput = {
    artist: values.artist,
    description: values.description,
    imageUrl: values.imageUrl,
    mediaCondition: values.mediaCondition,
    sleeveCondition: values.sleeveCondition,
    format: values.format,
    label: values.label,
    year: WHOLE.test(values.year.trim()) ? Number(values.year.trim()) : values.year,
  };
  input.shipsFrom = values.shipsFrom;
  input.shippingDomestic = amount(values.shippingDomestic);
  input.shippingInternational = values.noInternational ? null : amount(values.shippingInternational);
  if (!blank(values.title) || editing) input.title = values.title;
  if (!blank(values.genre) || editing) input.genre = values.genre;
  const price = values.price.trim();
  if (DECIMAL.test(price)) input.price = Number(price);
  else if (price) input.price = price;
  else if (editing) input.price = "";
  return input;
}

/** A file input that was left empty arrives as a nameless, empty part. */
function chosenFile(form: FormData): File | null {
  const file = form.get("file");
  if (file === null || typeof file === "string") return null;
  if (file.size === 0 && !file.name) return null;
  return file;
}

type Page = { response: Response | null; state: VinylFormState };

/**
 * The server side of the sell page (`id` null) and the edit page. Signed-out visitors go to
 * sign in. A POST first uploads a photo sent with the form (browsers without JavaScript),
 * then lists or edits the record; success is a 303 to the record, failure the form again
 * with the API's messages beside their fields and everything typed kept.
 */
export async function vinylFormPage(astro: AstroGlobal, id: string | null): Promise<Page> {
  const state: VinylFormState = { values: formValues(null), fieldErrors: {}, errors: [], vinyl: null, refusal: null };
  const method = astro.request.method;
  if (method !== "GET" && method !== "HEAD" && method !== "POST") {
    return { response: methodNotAllowed(), state };
  }
  const user = astro.locals.user;
  if (!user) return { response: toSignIn(astro.url.pathname), state };

  if (id !== null) {
    const found = await getVinyl(astro.request, id);
    if (!found.ok) {
      if (found.status === 404) return { response: await astro.rewrite("/404"), state };
      state.errors = found.errors;
      setStatus(astro.response, found.status);
      return { response: null, state };
    }
    state.vinyl = found.vinyl;
    state.values = formValues(found.vinyl);
    if (found.vinyl.userId !== user.id) {
      state.refusal = { status: 403, message: "You can only edit your own listings." };
    } else if (found.vinyl.status !== "available") {
      const status = found.vinyl.status === "sold" ? "reserved" : found.vinyl.status;
      // The API's own words for the edit it would refuse.
      state.refusal = { status: 409, message: `Cannot edit a ${status} vinyl` };
    }
    if (state.refusal) {
      setStatus(astro.response, state.refusal.status);
      return { response: null, state };
    }
  } else {
    const genre = astro.url.searchParams.get("genre");
    if (genre) state.values.genre = genre;
    // A new listing ships from where the seller lives, when their profile says (as their
    // session token carries it). A code the form no longer offers would select nothing.
    const home = user.country;
    if (method !== "POST") state.values.shipsFrom = home && isCountry(home) ? home : DEFAULT_SHIPS_FROM;
  }

  if (method !== "POST") return { response: null, state };

  const form = await readForm(astro.request);
  if (!form) {
    state.errors = ["The form could not be read. Please try again."];
    setStatus(astro.response, 400);
    return { response: null, state };
  }
  for (const name of Object.keys(state.values) as (keyof VinylFormValues)[]) state.values[name] = formText(form, name);
  if (formText(form, "removeImage")) state.values.imageUrl = "";

  // Without JavaScript the photo arrives with the form: store it first, then list with its URL.
  const file = chosenFile(form);
  if (file) {
    if (file.size > MAX_PHOTO_BYTES) {
      state.fieldErrors.imageUrl = "Image must be at most 5 MiB";
      setStatus(astro.response, 413);
      return { response: null, state };
    }
    const uploaded = await uploadImage(astro.request, file);
    if (!uploaded.ok) {
      state.fieldErrors.imageUrl = uploaded.errors.join(" ");
      setStatus(astro.response, uploaded.status);
      return { response: null, state };
    }
    state.values.imageUrl = uploaded.imageUrl;
  }

  // Blank is no answer for shipping abroad: the API would read it as "does not ship abroad".
  if (!state.values.noInternational && state.values.shippingInternational.trim() === "") {
    state.fieldErrors.shippingInternational = INTERNATIONAL_MISSING;
    setStatus(astro.response, 400);
    return { response: null, state };
  }

  const saved = await saveVinyl(astro.request, id, toInput(state.values, id !== null));
  if (saved.ok) return { response: seeOther(`/vinyls/${saved.vinyl.id}?${id ? "saved" : "listed"}=1`), state };

  if (saved.status === 404) return { response: await astro.rewrite("/404"), state };
  if (saved.status === 401) return { response: toSignIn(astro.url.pathname), state };
  state.fieldErrors = saved.fieldErrors;
  for (const [name, message] of Object.entries(REQUIRED)) {
    if (state.fieldErrors[name] && state.values[name as keyof VinylFormValues].trim() === "") state.fieldErrors[name] = message;
  }
  state.errors = saved.errors;
  setStatus(astro.response, saved.status);
  return { response: null, state };
}
