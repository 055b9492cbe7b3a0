/**
 * Events between services: staged in the same D1 batch as the change that causes them (an
 * outbox), relayed to every subscriber's inbox queue after the commit, numbered per inbox so
 * a lost message is noticed and asked for again, and applied once by each inbox. See
 * docs/architecture.md, "Events".
 */
export { commit } from "./commit";
export { runMessagingCron, type MessagingCron } from "./cron";
export { GRACE_MS, requestMissing } from "./gaps";
export { createInboxConsumer, PermanentError, retryDelay, type Effect, type Handlers, type InboxOptions } from "./inbox";
export { heartbeat, prune, RETENTION_MS, relayRows, resend, sendNow, sweep, type OutboxRow } from "./relay";
export { isStaged, stage, stageFromRow, type RowEvent, type Staged, type StageOptions } from "./stage";
export { publisherFor, queuesFrom, type Db, type Publisher, type Queues, type Statement, type WaitUntil } from "./types";
