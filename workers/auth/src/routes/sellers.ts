import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { users } from "../../../../schema/tables/auth";
import { USERNAME_PATTERN } from "../../../../schema/vocabulary";
import { createRouter, type ServiceEnv } from "../../../shared/src/app";
import { ApiError } from "../../../shared/src/errors";
import { errorContent, jsonContent } from "../../../shared/src/openapi";
import { PublicProfile, toPublicProfile } from "../account-json";
import { database } from "../db";

/** Public seller profiles, by username. */
export const sellers = createRouter<ServiceEnv<Env>>();

const UsernameParam = z.object({
  username: z.string().openapi({ param: { name: "username", in: "path" }, example: "crate-digger" }),
});

sellers.openapi(
  createRoute({
    method: "get",
    path: "/{username}",
    summary: "A seller's public profile",
    description: "Any account, by its username (case-insensitive). Never the email address.",
    request: { params: UsernameParam },
    responses: { 200: jsonContent(PublicProfile, "The profile"), 404: errorContent("No account has this username") },
  }),
  async (c) => {
    const username = c.req.valid("param").username.toLowerCase();
    // A name that could never be given is simply unknown.
    if (!USERNAME_PATTERN.test(username)) throw new ApiError(404, "Seller not found");
    const [row] = await database(c.env).select().from(users).where(eq(users.username, username)).limit(1);
    if (!row) throw new ApiError(404, "Seller not found");
    return c.json(toPublicProfile(row), 200);
  },
);
