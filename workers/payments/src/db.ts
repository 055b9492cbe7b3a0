import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../schema/tables/payments";

export const database = (env: Env) => drizzle(env.PAYMENTS_DB, { schema });
export type Database = ReturnType<typeof database>;
