import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../schema/tables/orders";

export const database = (env: Env) => drizzle(env.ORDERS_DB, { schema });
