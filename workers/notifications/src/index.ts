import { serviceWorker } from "../../shared/src/service-worker";
import { publisherFor, requestMissing } from "../../shared/src/messaging";
import { pruneRevokedSessions } from "../../shared/src/replicas";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { giveUpUnaddressed, sendDue } from "./mailer";

export default serviceWorker<Env>({
  fetch: app.fetch,
  queue,
  /*
   * Every minute: ask the sources for events this inbox missed, send emails no consumer
   * sent (a crash after the batch, a claim whose sender died, a failed send to retry),
   * give up emails that never got an address, and forget ended sessions. This inbox
   * publishes nothing, so it has no outbox to sweep or heartbeat.
   */
  cron: (env, ctx) => {
    const db = database(env);
    return [
      requestMissing(db, publisherFor(env, ctx), "notifications"),
      sendDue(env, { budgetMs: 40_000, limit: 100 }),
      giveUpUnaddressed(env),
      pruneRevokedSessions(db),
    ];
  },
});
