import { drizzle } from "drizzle-orm/d1";

// No `schema`: no relational queries here, and with one drizzle rebuilds the relational
// config from every table on each call.
export const database = (env: Env) => drizzle(env.NOTIFICATIONS_DB);
export type Database = ReturnType<typeof database>;
