import type { UnitOfWork } from '../db/unit-of-work.js';
import { expireOverdueInvitations } from './invitations/expire-overdue.js';

interface SweeperLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * Marks overdue invitations expired once a minute (and at start), so that the state and its activity
 * event exist even if nobody looks. Safe with several servers: each row is updated once.
 */
export function startInvitationSweeper(
  unitOfWork: UnitOfWork,
  logger: SweeperLogger,
  intervalMs = 60_000,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = unitOfWork.run(expireOverdueInvitations).then(
      (count) => {
        if (count > 0) logger.info({ count }, 'Invitations expired');
      },
      (error: unknown) => logger.error({ err: error }, 'Expiring invitations failed'),
    );
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
