import type { UnitOfWork } from '../db/unit-of-work.js';
import { sendDueReviewReminders, type ReminderDeps } from './access-reviews/due-reminders.js';

interface ReminderLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Reminds host admins of scheduled access reviews that have come due, every ten minutes (and at start).
 * Safe with several servers: each due date is claimed, and its mail queued, in one transaction.
 */
export function startAccessReviewReminder(
  unitOfWork: UnitOfWork,
  deps: ReminderDeps,
  logger: ReminderLogger,
  intervalMs = 10 * 60_000,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const remind = () => {
    running = unitOfWork
      .run((tx) => sendDueReviewReminders(tx, deps))
      .then(
        (count) => {
          if (count > 0) logger.info({ count }, 'Access review reminders sent');
        },
        (error: unknown) => logger.error({ err: error }, 'Sending access review reminders failed'),
      );
  };
  remind();
  const timer = setInterval(remind, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
