import { createServiceApp } from "../../shared/src/app";
import { isRevoked } from "../../shared/src/replicas";
import { database } from "./db";
import { orders } from "./routes/orders";

export const app = createServiceApp<Env>({
  service: "orders",
  isRevoked: (env, sessionId) => isRevoked(database(env), sessionId),
});
app.route("/api/orders", orders);
