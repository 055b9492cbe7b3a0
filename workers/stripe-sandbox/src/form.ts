/** A form-encoded request body as Stripe reads it: `a[b][0][c]=1` becomes `{a: {b: [{c: "1"}]}}`. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/** The segments of one key: `line_items[0][price_data]` → `["line_items", "0", "price_data"]`. */
function segments(key: string): string[] {
  const first = key.indexOf("[");
  if (first < 0) return [key];
  const parts = [key.slice(0, first)];
  for (const match of key.slice(first).matchAll(/\[([^\]]*)\]/g)) parts.push(match[1]!);
  return parts;
}

/** Objects whose keys are exactly 0…n-1 were arrays on the client (the SDK writes them indexed). */
function arraysFromIndexes(value: FormValue): FormValue {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(arraysFromIndexes);
  const keys = Object.keys(value);
  const entries = Object.fromEntries(keys.map((k) => [k, arraysFromIndexes(value[k]!)]));
  const indexed = keys.length > 0 && keys.every((k, i) => k === String(i));
  return indexed ? keys.map((k) => entries[k]!) : entries;
}

export function parseForm(body: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = segments(key);
    let node: { [key: string]: FormValue } = root;
    for (const [i, segment] of path.entries()) {
      const last = i === path.length - 1;
      // `expand[]=a&expand[]=b`: an empty segment appends.
      const name = segment === "" ? String(Object.keys(node).length) : segment;
      if (last) {
        node[name] = value;
      } else {
        const next = node[name];
        if (typeof next !== "object" || Array.isArray(next)) node[name] = {};
        node = node[name] as { [key: string]: FormValue };
      }
    }
  }
  return arraysFromIndexes(root) as FormObject;
}

type BodyReader = { arrayBuffer: () => Promise<ArrayBuffer> };

/**
 * The body as text. Read as bytes: workerd warns when `.text()` is called on a form body,
 * and Hono keeps the bytes for every later read.
 */
export async function bodyText(req: BodyReader) {
  return new TextDecoder().decode(await req.arrayBuffer());
}

/** A request's parameters: the query of a GET, the form body of anything else. */
export async function requestParams(req: BodyReader & { method: string; url: string }): Promise<FormObject> {
  if (req.method === "GET" || req.method === "HEAD") return parseForm(new URL(req.url).search.slice(1));
  return parseForm(await bodyText(req));
}
