import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { accessReviewDueMail } from '../../mail/access-review-mails.js';
import { enqueueMail, type MailKeys } from '../../mail/outbox.js';
import { recordEvent } from '../activity.js';

export interface ReminderDeps extends MailKeys {
  publicUrl: URL;
}

/**
 * Emails the host admins of every partner whose scheduled review has come due, once per due date. Safe
 * with several servers: the reminder is marked sent by the same UPDATE that claims the schedule, in the
 * transaction that queues the mail, so a second server finds nothing left to claim.
 */
export async function sendDueReviewReminders(tx: Kysely<Database>, deps: ReminderDeps): Promise<number> {
  const due = await tx
    .updateTable('access_review_schedules as s')
    .set({ reminded_at: sql`now()` })
    .from('partners as p')
    .whereRef('p.id', '=', 's.partner_id')
    .where('p.status', '=', 'active')
    .where('s.reminded_at', 'is', null)
    .where('s.due_at', '<=', sql<Date>`now()`)
    .returning(['s.partner_id', 's.workspace_id', 's.interval_days', 's.due_at', 'p.name as partner_name'])
    .execute();
  for (const schedule of due) {
    const workspace = await tx
      .selectFrom('workspaces')
      .select('name')
      .where('id', '=', schedule.workspace_id)
      .executeTakeFirstOrThrow();
    const hosts = await tx
      .selectFrom('partner_members as pm')
      .innerJoin('users as u', 'u.id', 'pm.user_id')
      .select(['u.email', 'u.display_name'])
      .where('pm.partner_id', '=', schedule.partner_id)
      .where('pm.role', '=', 'host_admin')
      .where('u.status', '=', 'active')
      .orderBy('u.email')
      .execute();
    const reviewUrl = new URL(`/app/partners/${schedule.partner_id}/access-reviews`, deps.publicUrl).toString();
    for (const host of hosts) {
      const mail = accessReviewDueMail({
        workspaceName: workspace.name,
        displayName: host.display_name,
        partnerName: schedule.partner_name,
        intervalDays: schedule.interval_days,
        dueAt: schedule.due_at,
        reviewUrl,
      });
      await enqueueMail(tx, deps, {
        workspaceId: schedule.workspace_id,
        kind: 'access_review_due',
        to: host.email,
        ...mail,
      });
    }
    await recordEvent(tx, {
      workspaceId: schedule.workspace_id,
      actorId: null,
      action: 'partner.access_review_due',
      targetType: 'partner',
      targetId: schedule.partner_id,
      context: { ip: null, userAgent: null },
      details: { dueAt: schedule.due_at.toISOString(), reminded: hosts.length },
    });
  }
  return due.length;
}
