import { serviceWorker } from "../../shared/src/service-worker";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { pruneRevokedSessions } from "../../shared/src/replicas";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { reconcile } from "./reconcile";

export default serviceWorker<Env>({
  fetch: app.fetch,
  queue,
  cron: (env, ctx) => {
    const publisher = publisherFor(env, ctx);
    return [
      runMessagingCron(database(env), publisher, { source: "payments", inbox: "payments" }),
      reconcile(env, publisher),
      pruneRevokedSessions(database(env)),
    ];
  },
});
