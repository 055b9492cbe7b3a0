import { METHODS, type Method, type OpenApiDocument, type Operation, type SchemaObject } from "../edge/openapi";

/** One line of a request body or parameter table. */
export type FieldView = { name: string; type: string; required: boolean; notes: string[] };
export type ResponseView = { code: string; description: string; type: string | null };
export type OperationView = {
  id: string;
  method: Method;
  path: string;
  summary: string;
  description: string | null;
  parameters: (FieldView & { in: string })[];
  body: { contentType: string; required: boolean; type: string; fields: FieldView[] } | null;
  responses: ResponseView[];
};
export type GroupView = { name: string; description: string | null; id: string; operations: OperationView[] };

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

const refName = (ref: string) => ref.split("/").pop() ?? ref;

/** The schema a `$ref` points at inside the document, or the schema itself. */
function resolve(doc: OpenApiDocument, schema: SchemaObject | undefined, depth = 0): SchemaObject | undefined {
  if (!schema?.$ref || depth > 8) return schema;
  const name = refName(schema.$ref);
  return resolve(doc, doc.components?.schemas?.[name], depth + 1);
}

/** A short human type: `string (email)`, `Vinyl[]`, `"asc" | "desc"`, `User | null`. */
export function typeLabel(schema: SchemaObject | undefined): string {
  if (!schema) return "any";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeLabel).join(" | ");
  if (schema.allOf) return schema.allOf.map(typeLabel).join(" & ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const labels = types.map((t) => {
    if (t === "array") return `${typeLabel(schema.items)}[]`;
    if (t === "string" && schema.format) return `string (${schema.format})`;
    if (t === "integer" && schema.format) return `integer (${schema.format})`;
    return t;
  });
  if (schema.nullable) labels.push("null");
  return labels.join(" | ") || (schema.properties ? "object" : "any");
}

/** Constraints and examples in words: "8–128 characters", "> 0", "example: 12.5". */
function notes(schema: SchemaObject | undefined): string[] {
  if (!schema) return [];
  const out: string[] = [];
  if (schema.description) out.push(schema.description);
  const { minLength, maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (minLength !== undefined && maxLength !== undefined) out.push(`${minLength}–${maxLength} characters`);
  else if (minLength !== undefined) out.push(`at least ${minLength} characters`);
  else if (maxLength !== undefined) out.push(`at most ${maxLength} characters`);
  if (typeof exclusiveMinimum === "number") out.push(`> ${exclusiveMinimum}`);
  else if (minimum !== undefined) out.push(`≥ ${minimum}`);
  if (typeof exclusiveMaximum === "number") out.push(`< ${exclusiveMaximum}`);
  else if (maximum !== undefined) out.push(`≤ ${maximum}`);
  if (schema.multipleOf !== undefined) out.push(`multiple of ${schema.multipleOf}`);
  if (schema.pattern) out.push(`pattern ${schema.pattern}`);
  if (schema.minItems !== undefined) out.push(`at least ${schema.minItems} items`);
  if (schema.maxItems !== undefined) out.push(`at most ${schema.maxItems} items`);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  const example = schema.example ?? schema.examples?.[0];
  if (example !== undefined) out.push(`example ${JSON.stringify(example)}`);
  return out;
}

function fieldsOf(doc: OpenApiDocument, schema: SchemaObject | undefined): FieldView[] {
  const resolved = resolve(doc, schema);
  if (!resolved?.properties) return [];
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties).map(([name, property]) => ({
    name,
    type: typeLabel(property),
    required: required.has(name),
    notes: notes(resolve(doc, property)),
  }));
}

function operationView(doc: OpenApiDocument, method: Method, path: string, op: Operation, inherited: OperationView["parameters"]): OperationView {
  const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  return {
    id: slug(`${method} ${path}`),
    method,
    path,
    summary: op.summary ?? op.operationId ?? `${method.toUpperCase()} ${path}`,
    description: op.description ?? null,
    parameters: [
      ...inherited,
      ...(op.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in,
        type: typeLabel(p.schema),
        required: Boolean(p.required),
        notes: [...(p.description ? [p.description] : []), ...notes(p.schema)],
      })),
    ],
    body: contentType
      ? {
          contentType,
          required: Boolean(op.requestBody?.required),
          type: typeLabel(media?.schema),
          fields: fieldsOf(doc, media?.schema),
        }
      : null,
    responses: Object.entries(op.responses ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, res]) => {
        const schema = Object.values(res.content ?? {})[0]?.schema;
        return { code, description: res.description ?? "", type: schema ? typeLabel(schema) : null };
      }),
  };
}

/** The document as groups of operations (by tag, in the document's tag order), ready to render. */
export function documentView(doc: OpenApiDocument): GroupView[] {
  const groups = new Map<string, GroupView>();
  for (const tag of doc.tags ?? []) {
    groups.set(tag.name, { name: tag.name, description: tag.description ?? null, id: slug(tag.name), operations: [] });
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    const inherited = (item.parameters ?? []).map((p) => ({
      name: p.name,
      in: p.in,
      type: typeLabel(p.schema),
      required: Boolean(p.required),
      notes: p.description ? [p.description] : [],
    }));
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      let group = groups.get(tag);
      if (!group) groups.set(tag, (group = { name: tag, description: null, id: slug(tag), operations: [] }));
      group.operations.push(operationView(doc, method, path, op, inherited));
    }
  }
  return [...groups.values()].filter((g) => g.operations.length > 0);
}
