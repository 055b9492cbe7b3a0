import { createServiceApp } from "../../shared/src/app";
import { users } from "./routes/users";

export const app = createServiceApp<Env>({ service: "auth" });
app.route("/api/users", users);
