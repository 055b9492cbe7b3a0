import { app } from "./app";
import type { SandboxBindings } from "./bindings";

export default { fetch: (request, env, ctx) => app.fetch(request, env satisfies SandboxBindings, ctx) } satisfies ExportedHandler<Env>;
