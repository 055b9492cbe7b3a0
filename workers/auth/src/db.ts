import { drizzle } from "drizzle-orm/d1";

// No `schema`: auth uses no relational queries, and with one drizzle rebuilds the
// relational config from every table on each call.
export const database = (env: Env) => drizzle(env.AUTH_DB);
