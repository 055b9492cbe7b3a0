import { serviceWorker } from "../../shared/src/service-worker";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { pruneRevokedSessions } from "../../shared/src/replicas";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";

export default serviceWorker<Env>({
  fetch: app.fetch,
  queue,
  cron: (env, ctx) => {
    const db = database(env);
    return [runMessagingCron(db, publisherFor(env, ctx), { source: "catalog", inbox: "catalog" }), pruneRevokedSessions(db)];
  },
});
