import type { z } from "@hono/zod-openapi";
import { ErrorBody } from "./errors";

/** Shorthands for route declarations, so each route reads as its contract row. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

export const errorContent = (description: string) => jsonContent(ErrorBody, description);

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});
