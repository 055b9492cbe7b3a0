import { setLogLevel } from "./log";

type Parts<E> = {
  fetch: ExportedHandlerFetchHandler<E>;
  queue: ExportedHandlerQueueHandler<E>;
  /** The jobs of one cron run, started together: each runs whatever the others do. */
  cron: (env: E, ctx: ExecutionContext, controller: ScheduledController) => Promise<unknown>[];
};

/**
 * A service Worker's entry: its HTTP app, its inbox consumer and its cron. The HTTP app sets
 * the log level per request; queue and cron invocations set their own. A failed cron job
 * fails the invocation, after every job has run, so it shows in the cron's status.
 */
export function serviceWorker<E extends { LOG_LEVEL: string }>({ fetch, queue, cron }: Parts<E>) {
  return {
    fetch,
    async queue(batch: MessageBatch, env: E, ctx: ExecutionContext) {
      setLogLevel(env.LOG_LEVEL);
      await queue(batch, env, ctx);
    },
    async scheduled(controller: ScheduledController, env: E, ctx: ExecutionContext) {
      setLogLevel(env.LOG_LEVEL);
      const results = await Promise.allSettled(cron(env, ctx, controller));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  } satisfies ExportedHandler<E>;
}
