import { setLogLevel } from "../../shared/src/log";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { pruneRevokedSessions } from "../../shared/src/replicas";
import { app } from "./app";
import { deliverOverdue } from "./auto-delivery";
import { queue } from "./consumer";
import { database } from "./db";
import { expireOverdue } from "./sweep";

export default {
  fetch: app.fetch,
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
  // Every minute: the messaging chores, the end of holds whose alarm never arrived, and the
  // delivery of shipments nobody confirmed. The cron's own time is "now" for holds and
  // shipments, so a run judges by when it was due.
  async scheduled(controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const db = database(env);
    const publisher = publisherFor(env, ctx);
    const results = await Promise.allSettled([
      runMessagingCron(db, publisher, { source: "orders", inbox: "orders" }),
      expireOverdue(db, publisher, controller.scheduledTime),
      deliverOverdue(db, publisher, controller.scheduledTime),
      pruneRevokedSessions(db),
    ]);
    // Each job runs whatever the other did; a failure fails the invocation, so it shows in the cron's status.
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  },
} satisfies ExportedHandler<Env>;
