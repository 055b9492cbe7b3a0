import { sweep, queuesFrom } from "../../shared/src/outbox";
import { app } from "./app";
import { queue } from "./consumer";
import { database } from "./db";

export default {
  fetch: app.fetch,
  queue,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(sweep(database(env), queuesFrom(env)));
  },
} satisfies ExportedHandler<Env>;
