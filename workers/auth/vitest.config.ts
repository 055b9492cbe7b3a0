import { workerProject } from "../shared/test/worker-project.ts";

export default workerProject({ name: "auth", root: import.meta.url, databases: { AUTH_DB: "auth" } });
