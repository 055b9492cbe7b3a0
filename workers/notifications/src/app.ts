import { createServiceApp } from "../../shared/src/app";
import { isRevoked } from "../../shared/src/replicas";
import { database } from "./db";
import { mailbox } from "./routes/mailbox";
import { wants } from "./routes/wants";

export const app = createServiceApp<Env>({
  service: "notifications",
  isRevoked: (env, sessionId) => isRevoked(database(env), sessionId),
});
app.route("/api/wants", wants);
app.route("/_dev/mailbox", mailbox);
