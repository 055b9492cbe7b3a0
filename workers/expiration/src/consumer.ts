
/**
 * The `expiration-events` inbox. Holds are armed and disarmed by their Durable Object, so
 * idempotency lives in each OrderHold's storage rather than in a D1 inbox; until then every
 * message that arrives here is unexpected and goes to the dead-letter queue.
 */
export const queue = async (batch: MessageBatch, env: Env) => {
  for (const message of batch.messages) {
    await env.DEAD_LETTERS.send(message.body, { contentType: "json" });
    message.ack();
  }
};
