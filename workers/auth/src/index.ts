import { setLogLevel } from "../../shared/src/log";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { prunePasswordResets } from "./routes/password-resets";
import { pruneSessions } from "./sessions";

export default {
  fetch: app.fetch,
  // The HTTP app sets the log level per request; queue and cron invocations set their own.
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
  async scheduled(_controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const db = database(env);
    const results = await Promise.allSettled([
      runMessagingCron(db, publisherFor(env, ctx), { source: "auth", inbox: "auth" }),
      pruneSessions(db),
      prunePasswordResets(db),
    ]);
    // Each job runs whatever the other did; a failure fails the invocation, so it shows in the cron's status.
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  },
} satisfies ExportedHandler<Env>;
