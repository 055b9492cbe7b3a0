import { workerProject } from "../shared/test/worker-project.ts";

export default workerProject({ name: "orders", root: import.meta.url, databases: { ORDERS_DB: "orders" } });
