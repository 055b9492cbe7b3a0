import { setLogLevel } from "../../shared/src/log";
import { publisherFor, runMessagingCron } from "../../shared/src/messaging";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";

export default {
  fetch: app.fetch,
  // The HTTP app sets the log level per request; queue and cron invocations set their own.
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
  async scheduled(_controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await runMessagingCron(database(env), publisherFor(env, ctx), { source: "catalog", inbox: "catalog" });
  },
} satisfies ExportedHandler<Env>;
