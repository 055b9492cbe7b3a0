import { workerProject } from "../shared/test/worker-project.ts";

export default workerProject({ name: "catalog", root: import.meta.url, databases: { CATALOG_DB: "catalog" } });
