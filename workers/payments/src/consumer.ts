import { createInboxConsumer } from "../../shared/src/inbox";
import { queuesFrom } from "../../shared/src/outbox";
import { database } from "./db";

/** The `payments-events` inbox. */
export const queue = createInboxConsumer<Env>({
  service: "payments",
  db: database,
  queues: queuesFrom,
  deadLetters: (env) => env.DEAD_LETTERS,
  handlers: {},
});
