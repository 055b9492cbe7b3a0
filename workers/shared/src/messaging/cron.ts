import type { Inbox, Source } from "../../../../schema/events";
import { log } from "../log";
import { requestMissing } from "./gaps";
import { heartbeat, prune, sweep } from "./relay";
import type { Db, Publisher } from "./types";

export type MessagingCron = {
  /** This service's name as a source of events. */
  source: Source;
  /** This service's inbox, if it has one: its gaps are looked for and asked for. */
  inbox?: Inbox;
};

/**
 * A service's messaging chores, once a minute from its cron: send what no relay sent, tell
 * each inbox how far this outbox has numbered it, ask senders for what never arrived, and
 * drop sent rows past their retention. Each runs whatever the others did; a failure fails
 * the invocation (so the cron shows it) after all have run.
 */
export async function runMessagingCron(db: Db, publisher: Publisher, { source, inbox }: MessagingCron, now = Date.now()) {
  const jobs = {
    swept: sweep(db, publisher).then((r) => r.sent),
    heartbeats: heartbeat(db, publisher, source),
    requested: inbox ? requestMissing(db, publisher, inbox, now) : Promise.resolve(0),
    pruned: prune(db, now),
  };
  const names = Object.keys(jobs) as (keyof typeof jobs)[];
  const results = await Promise.allSettled(Object.values(jobs));
  const summary = Object.fromEntries(names.map((name, i) => [name, results[i]!.status === "fulfilled" ? results[i]!.value : null]));
  log.debug("messaging cron", { source, ...summary });
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return summary as Record<keyof typeof jobs, number>;
}
