import { setLogLevel } from "../../shared/src/log";
import { queuesFrom, sweep } from "../../shared/src/outbox";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { expireOverdue } from "./sweep";

export default {
  fetch: app.fetch,
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
  // Every minute: resend what a relay did not deliver, and end holds whose alarm never
  // arrived. The cron's own time is "now", so a run judges by when it was due.
  async scheduled(controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const db = database(env);
    const queues = queuesFrom(env);
    const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
    const results = await Promise.allSettled([sweep(db, queues), expireOverdue(db, queues, controller.scheduledTime, waitUntil)]);
    // Each job runs whatever the other did; a failure fails the invocation, so it shows in the cron's status.
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  },
} satisfies ExportedHandler<Env>;
