import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export const database = (env: { SANDBOX_DB: D1Database }) => drizzle(env.SANDBOX_DB, { schema });
export type Database = ReturnType<typeof database>;
