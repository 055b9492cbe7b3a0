import { serviceWorker } from "../../shared/src/service-worker";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { prunePasswordResets } from "./routes/password-resets";
import { pruneSessions } from "./sessions";

export default serviceWorker<Env>({
  fetch: app.fetch,
  queue,
  cron: (env, ctx) => {
    const db = database(env);
    return [runMessagingCron(db, publisherFor(env, ctx), { source: "auth", inbox: "auth" }), pruneSessions(db), prunePasswordResets(db)];
  },
});
