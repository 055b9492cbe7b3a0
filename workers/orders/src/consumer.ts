import { createInboxConsumer } from "../../shared/src/inbox";
import { queuesFrom } from "../../shared/src/outbox";
import { database } from "./db";

/** The `orders-events` inbox. */
export const queue = createInboxConsumer<Env>({
  service: "orders",
  db: database,
  queues: queuesFrom,
  deadLetters: (env) => env.DEAD_LETTERS,
  handlers: {},
});
