import { drizzle } from "drizzle-orm/d1";

// No `schema`: catalog uses no relational queries, and with one drizzle rebuilds the
// relational config from every table on each call, which is once per request.
export const database = (env: Env) => drizzle(env.CATALOG_DB);
