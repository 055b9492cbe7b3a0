import { createServiceApp } from "../../shared/src/app";
import { database } from "./db";
import { currentUser } from "./routes/current-user";
import { passwordReset } from "./routes/password-resets";
import { sellers } from "./routes/sellers";
import { users } from "./routes/users";
import { sessionEnded } from "./sessions";

// Auth reads its own sessions: a signed-out or replaced session is anonymous here at once.
export const app = createServiceApp<Env>({ service: "auth", isRevoked: (env, sid) => sessionEnded(database(env), sid) });
app.route("/api/users/currentuser", currentUser);
app.route("/api/users/password-reset", passwordReset);
app.route("/api/users", users);
app.route("/api/sellers", sellers);
