import { workerProject } from "../shared/test/worker-project.ts";

export default workerProject({
  name: "notifications",
  root: import.meta.url,
  databases: { NOTIFICATIONS_DB: "notifications" },
  // Every sent message is kept in dev_mailbox, where the tests read it, as in development.
  bindings: { MAILBOX_CAPTURE: "1", SHOP_URL: "https://shop.test" },
});
