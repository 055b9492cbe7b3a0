import { setLogLevel } from "../../shared/src/log";
import { app } from "./app";
import { queue } from "./consumer";

export { OrderHold } from "./order-hold";

export default {
  fetch: app.fetch,
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    await queue(batch, env, ctx);
  },
} satisfies ExportedHandler<Env>;
