import { createServiceApp } from "../../shared/src/app";
import { orders } from "./routes/orders";

export const app = createServiceApp<Env>({ service: "orders" });
app.route("/api/orders", orders);
