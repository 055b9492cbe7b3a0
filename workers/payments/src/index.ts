import { sweep, queuesFrom } from "../../shared/src/outbox";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";
import { reconcile } from "./reconcile";

export default {
  fetch: app.fetch,
  queue,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(database(env), queuesFrom(env)));
    ctx.waitUntil(reconcile(env, (p) => ctx.waitUntil(p)));
  },
} satisfies ExportedHandler<Env>;
