import { setLogLevel } from "../../shared/src/log";
import { sweep, queuesFrom } from "../../shared/src/outbox";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { reconcile } from "./reconcile";

export default {
  fetch: app.fetch,
  // The HTTP app sets the log level per request; queue and cron invocations set their own.
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
  async scheduled(_controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    ctx.waitUntil(sweep(database(env), queuesFrom(env)));
    ctx.waitUntil(reconcile(env, (p) => ctx.waitUntil(p)));
  },
} satisfies ExportedHandler<Env>;
