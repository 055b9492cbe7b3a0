import { workerProject } from "../shared/test/worker-project.ts";

// No D1: every hold keeps its state in its own Durable Object storage. Reminders are off
// by default here, so the hold's own tests see one alarm at the hold's end; the reminder's
// tests (test/hold-reminder.test.ts) deliver with them on.
export default workerProject({ name: "expiration", root: import.meta.url, bindings: { HOLD_REMINDER_SECONDS: "0" } });
