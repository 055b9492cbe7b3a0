import type { Context } from "hono";
import { log } from "../../../workers/shared/src/log";
import { SERVICES, callService, withTimeout, type Service } from "./services";

/** The parts of an OpenAPI 3.1 document the merge and the reference page rely on. */
export type SchemaObject = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  example?: unknown;
  examples?: unknown[];
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  allOf?: SchemaObject[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | SchemaObject;
};
export type MediaType = { schema?: SchemaObject; example?: unknown };
export type Parameter = {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: SchemaObject;
};
export type Operation = {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType>; headers?: Record<string, unknown> }>;
};
export const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"] as const;
export type Method = (typeof METHODS)[number];
export type PathItem = Partial<Record<Method, Operation>> & { parameters?: Parameter[] };
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, PathItem>;
  components?: Record<string, Record<string, unknown>> & { schemas?: Record<string, SchemaObject> };
  "x-unavailable-services"?: string[];
};

const DOC_TIMEOUT_MS = 5000;

const isDocument = (value: unknown): value is OpenApiDocument =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as OpenApiDocument).openapi === "string" &&
  typeof (value as OpenApiDocument).paths === "object";

async function serviceDocument(env: Env, service: Service, from: Request): Promise<OpenApiDocument | null> {
  try {
    const res = await withTimeout(callService(env, service.binding, "/openapi.json", from), DOC_TIMEOUT_MS);
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const doc: unknown = await res.json();
    return isDocument(doc) ? doc : null;
  } catch {
    return null;
  }
}

/** The storefront's own endpoints. */
function edgeDocument(): OpenApiDocument {
  const error = { $ref: "#/components/schemas/Error" };
  return {
    openapi: "3.1.0",
    info: { title: "Oscillation storefront", version: "1" },
    paths: {
      "/api/health": {
        get: {
          summary: "Health of the whole system",
          description: "Answers 200 only when every service Worker answers its own `GET /health` with 200.",
          tags: ["Storefront"],
          responses: {
            200: {
              description: "Every service is healthy",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { status: { const: "ok", type: "string" } }, required: ["status"] },
                },
              },
            },
            503: { description: "At least one service is down; the message names them", content: { "application/json": { schema: error } } },
          },
        },
      },
      "/api/openapi.json": {
        get: {
          summary: "This API description (OpenAPI 3.1), merged from every service",
          tags: ["Storefront"],
          responses: { 200: { description: "The OpenAPI document", content: { "application/json": {} } } },
        },
      },
      "/api/docs": {
        get: {
          summary: "This API reference as a web page",
          tags: ["Storefront"],
          responses: { 200: { description: "An HTML page", content: { "text/html": {} } } },
        },
      },
    },
    components: {
      schemas: {
        Error: {
          type: "object",
          properties: {
            errors: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  message: { type: "string" },
                  field: { type: "string", description: "Present when one input field is at fault" },
                },
                required: ["message"],
              },
            },
          },
          required: ["errors"],
        },
      },
    },
  };
}

/** Merges `from` into `into`: paths method by method, components section by section; the first definition of a name wins. */
function mergeInto(into: OpenApiDocument, from: OpenApiDocument, tag: string, source: string) {
  for (const [path, item] of Object.entries(from.paths)) {
    const target: PathItem = (into.paths[path] ??= {});
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (target[method]) {
        log.warn("openapi: duplicate operation", { method, path, source });
        continue;
      }
      target[method] = op.tags?.length ? op : { ...op, tags: [tag] };
    }
    if (item.parameters && !target.parameters) target.parameters = item.parameters;
  }
  const components = (into.components ??= {});
  for (const [section, entries] of Object.entries(from.components ?? {})) {
    if (typeof entries !== "object" || entries === null) continue;
    const merged = (components[section] ??= {});
    for (const [name, value] of Object.entries(entries)) {
      if (!(name in merged)) merged[name] = value;
      else if (JSON.stringify(merged[name]) !== JSON.stringify(value)) {
        log.warn("openapi: conflicting component, keeping the first", { section, name, source });
      }
    }
  }
}

/**
 * One OpenAPI 3.1 document for the public API, built from each service's `/openapi.json`.
 * A service that does not answer is left out and named in `x-unavailable-services`.
 */
export async function mergedDocument(env: Env, from: Request): Promise<OpenApiDocument> {
  const origin = new URL(from.url).origin;
  const docs = await Promise.all(SERVICES.map((s) => serviceDocument(env, s, from)));
  const merged: OpenApiDocument = {
    openapi: "3.1.0",
    info: {
      title: "Oscillation API",
      version: "1",
      description:
        "The public JSON API of the Oscillation vinyl marketplace. Every error is " +
        '`{"errors":[{"message": string, "field"?: string}]}`. Signed-in requests carry the ' +
        "HttpOnly `session` cookie set by sign-up and sign-in.",
    },
    servers: [{ url: origin }],
    tags: [],
    paths: {},
    components: { schemas: {} },
  };
  const unavailable: string[] = [];
  SERVICES.forEach((service, i) => {
    const doc = docs[i];
    if (!doc) {
      unavailable.push(service.name);
      return;
    }
    if (Object.keys(doc.paths).length === 0) return;
    merged.tags!.push({ name: service.title, description: `Served by the ${service.name} Worker` });
    mergeInto(merged, doc, service.title, service.name);
  });
  merged.tags!.push({ name: "Storefront", description: "Served by the storefront (the public edge)" });
  mergeInto(merged, edgeDocument(), "Storefront", "storefront");
  if (unavailable.length > 0) merged["x-unavailable-services"] = unavailable;
  return merged;
}

/** `GET /api/openapi.json`. */
export async function openapi(c: Context<{ Bindings: Env }>) {
  const doc = await mergedDocument(c.env, c.req.raw);
  return c.json(doc, 200, { "Cache-Control": "no-cache" });
}
