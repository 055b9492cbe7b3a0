import { DurableObject } from "cloudflare:workers";
import { createEvent } from "../../../schema/events";
import { log, setLogLevel } from "../../shared/src/log";
import { queuesFrom, sendNow } from "../../shared/src/messaging";

/**
 * - `armed`: the alarm is set for the hold's end.
 * - `rang`: the alarm published `expiration_complete`; the hold is over.
 * - `finished`: the order was cancelled or completed first; the alarm must never ring.
 * Only `armed` moves on; the other two are final, so a late or repeated event cannot
 * bring a hold back.
 */
export type HoldState = "armed" | "rang" | "finished";

export type Hold = {
  orderId: string;
  state: HoldState;
  /** The order version this hold knows, carried by `expiration_complete`. */
  version: number;
  /** When the hold ends, epoch ms; unknown when the order ended before its creation arrived. */
  expiresAt: number | null;
  /** Fixed when armed: every run of the alarm publishes the same event, which orders applies once. */
  eventId: string | null;
};

/** What arming or disarming needs to know of the order, from its event. */
export type HoldOrder = {
  orderId: string;
  expiresAt: string;
  version: number;
  /** The buyer, told by `hold_ending` that the hold is about to end. */
  userId?: string;
  /** When to send `hold_ending`, epoch ms; none when the hold is too short for a reminder. */
  remindAt?: number | null;
};

/**
 * The reminder a few minutes before the hold's end, kept beside the hold: `armed` until its
 * alarm rang, then `sent`, or `skipped` when the alarm rang too late to be of use. Its event
 * id is fixed when armed, so repeated runs publish the same event, which notifications
 * applies once.
 */
export type Reminder = { remindAt: number; userId: string; eventId: string; state: "armed" | "sent" | "skipped" };

const KEY = "hold";
const REMINDER = "reminder";

/**
 * The hold on one order, addressed by the order id (`idFromName(orderId)`). `order_created`
 * arms its alarm at `expiresAt`; `order_cancelled` or `order_completed` disarms it for
 * good. Idempotency lives in this object's own storage: it remembers where the hold is, so
 * events may arrive twice and in any order, and the alarm may run more than once.
 */
export class OrderHold extends DurableObject<Env> {
  private read() {
    return this.ctx.storage.get<Hold>(KEY);
  }

  private readReminder() {
    return this.ctx.storage.get<Reminder>(REMINDER);
  }

  /**
   * Arms the alarm at the hold's end, unless the hold already rang or the order already
   * ended. With a reminder still ahead, the alarm rings first at `remindAt` (one alarm per
   * object: the reminder's run sets it again for the end).
   */
  async arm(order: HoldOrder): Promise<HoldState> {
    const hold = await this.read();
    if (hold && hold.state !== "armed") return hold.state;
    const expiresAt = Date.parse(order.expiresAt);
    await this.ctx.storage.put<Hold>(KEY, {
      orderId: order.orderId,
      state: "armed",
      version: Math.max(hold?.version ?? 0, order.version),
      expiresAt,
      eventId: hold?.eventId ?? crypto.randomUUID(),
    });
    let reminder = await this.readReminder();
    if (!reminder && order.userId && order.remindAt && order.remindAt > Date.now() && order.remindAt < expiresAt) {
      reminder = { remindAt: order.remindAt, userId: order.userId, eventId: crypto.randomUUID(), state: "armed" };
      await this.ctx.storage.put<Reminder>(REMINDER, reminder);
    }
    // Setting it again to the same time is harmless; a time already past rings at once.
    await this.ctx.storage.setAlarm(reminder?.state === "armed" ? reminder.remindAt : expiresAt);
    return "armed";
  }

  /** The order ended (cancelled or completed): the alarm never rings, and no later `arm` sets it again. */
  async disarm(order: Pick<HoldOrder, "orderId" | "version">): Promise<HoldState> {
    const hold = await this.read();
    if (hold?.state === "finished") return "finished";
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.put<Hold>(KEY, {
      orderId: order.orderId,
      version: Math.max(hold?.version ?? 0, order.version),
      expiresAt: hold?.expiresAt ?? null,
      eventId: hold?.eventId ?? null,
      state: "finished",
    });
    return "finished";
  }

  /**
   * The hold's end: announces `expiration_complete`. Sent straight to its inboxes: this
   * object's storage is its outbox, since the hold stays `armed` until the send succeeded.
   * A failed send throws, so the runtime retries the alarm; a second run after a success
   * finds the hold `rang` and sends nothing. A message lost after the send is covered by
   * orders' own backstop, which ends overdue holds.
   */
  override async alarm() {
    setLogLevel(this.env.LOG_LEVEL);
    const hold = await this.read();
    if (!hold || hold.state !== "armed" || !hold.eventId) return;
    if (await this.remind(hold)) return;
    const event = {
      ...createEvent("expiration_complete", "expiration", { orderId: hold.orderId }, hold.version),
      id: hold.eventId,
    };
    await sendNow(queuesFrom(this.env), [event]);
    // The send let other calls in: record the ring only if nothing ended the hold meanwhile.
    const now = await this.read();
    if (now?.state === "armed") await this.ctx.storage.put<Hold>(KEY, { ...now, state: "rang" });
    log.info("hold ended", { orderId: hold.orderId, eventId: hold.eventId });
  }

  /**
   * The reminder's run, if it is due: sends `hold_ending` to notifications (straight, as the
   * expiry is sent) and sets the alarm again for the hold's end. Answers whether it ran; an
   * alarm that rings after the hold's end skips the reminder and ends the hold at once.
   */
  private async remind(hold: Hold): Promise<boolean> {
    const reminder = await this.readReminder();
    if (reminder?.state !== "armed" || hold.expiresAt === null) return false;
    if (Date.now() >= hold.expiresAt) {
      await this.ctx.storage.put<Reminder>(REMINDER, { ...reminder, state: "skipped" });
      return false;
    }
    const event = {
      ...createEvent("hold_ending", "expiration", { orderId: hold.orderId, userId: reminder.userId, expiresAt: new Date(hold.expiresAt).toISOString() }, hold.version),
      id: reminder.eventId,
    };
    await sendNow(queuesFrom(this.env), [event]);
    // The send let other calls in: a hold ended meanwhile keeps no alarm.
    await this.ctx.storage.put<Reminder>(REMINDER, { ...reminder, state: "sent" });
    if ((await this.read())?.state === "armed") await this.ctx.storage.setAlarm(hold.expiresAt);
    log.info("hold ending soon; buyer reminded", { orderId: hold.orderId, eventId: reminder.eventId });
    return true;
  }

  /** The reminder, for tests and operators. */
  async inspectReminder(): Promise<Reminder | null> {
    return (await this.readReminder()) ?? null;
  }

  /** Where the hold is, for tests and operators. */
  async inspect(): Promise<{ hold: Hold | null; alarm: number | null }> {
    return { hold: (await this.read()) ?? null, alarm: await this.ctx.storage.getAlarm() };
  }
}
