import { Hono } from "hono";
import { z } from "zod";
import { log, setLogLevel } from "../../shared/src/log";

/** The Workers this one can wake, by the name the cron clock uses. */
const TARGETS = { auth: "AUTH", catalog: "CATALOG", orders: "ORDERS", payments: "PAYMENTS", notifications: "NOTIFICATIONS" } as const satisfies Record<string, keyof Env>;

const Query = z.object({
  cron: z.string().min(1).max(100),
  time: z.coerce.number().int().positive(),
});

type ScheduledFetcher = { scheduled(options: { cron?: string; scheduledTime?: Date }): Promise<{ outcome: string; noRetry: boolean }> };

const app = new Hono<{ Bindings: Env }>();

/**
 * `POST /run/:worker?cron=…&time=…`: calls that Worker's scheduled() handler with the cron
 * and the time it was due, and answers its outcome (`ok`, or what went wrong). A failing
 * run answers 502, so the clock can say so.
 */
app.post("/run/:worker", async (c) => {
  setLogLevel(c.env.LOG_LEVEL);
  const worker = c.req.param("worker");
  if (!(worker in TARGETS)) return c.json({ errors: [{ message: `No Worker ${worker} with crons` }] }, 404);
  const query = Query.safeParse(c.req.query());
  if (!query.success) return c.json({ errors: [{ message: "cron and time are required" }] }, 400);
  const target = c.env[TARGETS[worker as keyof typeof TARGETS]] as unknown as ScheduledFetcher;
  const result = await target.scheduled({ cron: query.data.cron, scheduledTime: new Date(query.data.time) });
  if (result.outcome !== "ok") log.warn("scheduled run failed", { worker, cron: query.data.cron, outcome: result.outcome });
  return c.json(result, result.outcome === "ok" ? 200 : 502);
});

app.notFound((c) => c.json({ errors: [{ message: "Not found" }] }, 404));

export default app satisfies ExportedHandler<Env>;
