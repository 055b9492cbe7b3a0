import { createInboxConsumer } from "../../shared/src/messaging";
import { database } from "./db";

/**
 * The `auth-events` inbox. No event is routed to auth; it carries the messaging's control
 * messages: other services asking for profile and session events they missed.
 */
export const queue = createInboxConsumer<Env>({ inbox: "auth", db: database, handlers: {} });
