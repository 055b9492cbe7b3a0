import { serviceWorker } from "../../shared/src/service-worker";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { pruneRevokedSessions } from "../../shared/src/replicas";
import { app } from "./app";
import { deliverOverdue } from "./auto-delivery";
import { queue } from "./consumer";
import { database, holdGraceMs } from "./db";
import { expireOverdue } from "./sweep";

export default serviceWorker<Env>({
  fetch: app.fetch,
  queue,
  // Every minute: the messaging chores, the end of holds whose alarm never arrived, and the
  // delivery of shipments nobody confirmed. The cron's own time is "now" for holds and
  // shipments, so a run judges by when it was due.
  cron: (env, ctx, controller) => {
    const db = database(env);
    const publisher = publisherFor(env, ctx);
    return [
      runMessagingCron(db, publisher, { source: "orders", inbox: "orders" }),
      expireOverdue(db, publisher, controller.scheduledTime, holdGraceMs(env)),
      deliverOverdue(db, publisher, controller.scheduledTime),
      pruneRevokedSessions(db),
    ];
  },
});
