import { app } from "./app";
import { queue } from "./consumer";

export { OrderHold } from "./order-hold";

export default { fetch: app.fetch, queue } satisfies ExportedHandler<Env>;
