import { workerProject } from "../shared/test/worker-project.ts";

// No D1: every hold keeps its state in its own Durable Object storage.
export default workerProject({ name: "expiration", root: import.meta.url });
