import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../schema/tables/catalog";

export const database = (env: Env) => drizzle(env.CATALOG_DB, { schema });
