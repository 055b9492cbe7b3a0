// The local cron clock. `wrangler dev` never runs cron triggers, so `npm run dev` runs this:
// at each time a Worker's `[triggers] crons` names (UTC, as on Cloudflare), it asks the
// development-only dev-cron Worker (workers/dev-cron) to run that Worker's scheduled()
// handler with the cron and the time it was due.
import { Cron } from "croner";
import { experimental_readRawConfig as readRawConfig } from "wrangler";
import { SERVICES, workerConfig } from "./lib/workers.mjs";

/** Every (worker, cron) pair the service Workers declare. */
export function cronSchedules() {
  return SERVICES.flatMap(({ name }) => {
    const crons = readRawConfig({ config: workerConfig(name) }).rawConfig.triggers?.crons ?? [];
    return crons.map((cron) => ({ worker: name, cron }));
  });
}

/**
 * Starts the clock against the shop at `origin`. With `everySeconds`, every schedule runs at
 * that interval instead (tests that need the backstops sooner). A run still going when its
 * next one is due is not started twice. Answers a function that stops the clock.
 */
export function startCronClock(origin, { everySeconds, log = console } = {}) {
  const schedules = cronSchedules();
  const running = new Set();
  async function fire({ worker, cron }, time) {
    const key = `${worker} ${cron}`;
    if (running.has(key)) return;
    running.add(key);
    try {
      const url = `${origin}/_dev/cron/run/${worker}?cron=${encodeURIComponent(cron)}&time=${time}`;
      const res = await fetch(url, { method: "POST" });
      if (!res.ok) log.warn(`[dev-cron] ${worker} "${cron}": ${res.status} ${await res.text()}`);
    } catch (error) {
      log.warn(`[dev-cron] ${worker} "${cron}" could not run: ${error.message}`);
    } finally {
      running.delete(key);
    }
  }
  if (everySeconds) {
    const timer = setInterval(() => {
      const now = Date.now();
      for (const schedule of schedules) void fire(schedule, now);
    }, everySeconds * 1000);
    return () => clearInterval(timer);
  }
  const jobs = schedules.map((schedule) => new Cron(schedule.cron, { timezone: "UTC" }, (job) => fire(schedule, job.currentRun()?.getTime() ?? Date.now())));
  return () => jobs.forEach((job) => job.stop());
}
