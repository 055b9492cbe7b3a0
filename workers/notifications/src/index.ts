import { setLogLevel } from "../../shared/src/log";
import { publisherFor, requestMissing } from "../../shared/src/messaging";
import { pruneRevokedSessions } from "../../shared/src/replicas";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { giveUpUnaddressed, sendDue } from "./mailer";

export default {
  fetch: app.fetch,
  // The HTTP app sets the log level per request; queue and cron invocations set their own.
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
  /**
   * Every minute: ask the sources for events this inbox missed, send emails no consumer
   * sent (a crash after the batch, a claim whose sender died, a failed send to retry),
   * give up emails that never got an address, and forget ended sessions. This inbox
   * publishes nothing, so it has no outbox to sweep or heartbeat.
   */
  async scheduled(_controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const db = database(env);
    const results = await Promise.allSettled([
      requestMissing(db, publisherFor(env, ctx), "notifications"),
      sendDue(env, { budgetMs: 40_000, limit: 100 }),
      giveUpUnaddressed(env),
      pruneRevokedSessions(db),
    ]);
    // Each job runs whatever the others did; a failure fails the invocation, so it shows in the cron's status.
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  },
} satisfies ExportedHandler<Env>;
