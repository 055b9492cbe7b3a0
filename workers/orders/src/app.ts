import type { MiddlewareHandler } from "hono";
import { createServiceApp } from "../../shared/src/app";
import { isRevoked } from "../../shared/src/replicas";
import { database } from "./db";
import { feedback } from "./routes/feedback";
import { fulfilment } from "./routes/fulfilment";
import { orders } from "./routes/orders";
import { sales } from "./routes/sales";
import { sellers } from "./routes/sellers";
import { shippingAddress } from "./routes/shipping-address";

export const app = createServiceApp<Env>({
  service: "orders",
  isRevoked: (env, sessionId) => isRevoked(database(env), sessionId),
});
// Orders are personal: never stored by a browser or the edge.
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "private, no-store");
};
app.use("/api/orders", noStore);
app.use("/api/orders/*", noStore);
// Before `orders`, whose `GET /{id}` would take `/sales` for an order id.
app.route("/api/orders", sales);
app.route("/api/orders", orders);
app.route("/api/orders", shippingAddress);
app.route("/api/orders", fulfilment);
app.route("/api/orders", feedback);
app.route("/api/sellers", sellers);
