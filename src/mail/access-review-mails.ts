/** **Review access** (SPEC §8a): the reminder to a partner's host admins when its scheduled review is due. */

import {
  chosen,
  escapeHtml,
  formatUtc,
  mailButton,
  mailDocument,
  mailHeading,
  mailParagraph,
  type RenderedMail,
} from './templates.js';

export interface AccessReviewDueMailInput {
  workspaceName: string;
  displayName: string;
  partnerName: string;
  intervalDays: number;
  dueAt: Date;
  reviewUrl: string;
}

export const accessReviewDueSubject = (partnerName: string) => `An access review of ${partnerName} is due`;

export function accessReviewDueMail(raw: AccessReviewDueMailInput): RenderedMail {
  const input = chosen(raw);
  const due = formatUtc(input.dueAt);
  const subject = accessReviewDueSubject(input.partnerName);
  const text = [
    `Hello ${input.displayName},`,
    '',
    `${input.partnerName} is reviewed every ${input.intervalDays} days in ${input.workspaceName} on Gatehouse, and its next access review was due on ${due}.`,
    "Review access lists every guest of the partner and every account it can use, with each one's role and last use; decide Keep or Remove for each.",
    '',
    `Review access: ${input.reviewUrl}`,
    '',
  ].join('\n');
  const e = {
    workspaceName: escapeHtml(input.workspaceName),
    displayName: escapeHtml(input.displayName),
    partnerName: escapeHtml(input.partnerName),
    due: escapeHtml(due),
    reviewUrl: escapeHtml(input.reviewUrl),
  };
  const html = mailDocument(
    subject,
    mailHeading(`An access review of ${e.partnerName} is due`) +
      mailParagraph(`Hello ${e.displayName},`) +
      mailParagraph(
        `<strong>${e.partnerName}</strong> is reviewed every ${input.intervalDays} days in <strong>${e.workspaceName}</strong> on Gatehouse, and its next access review was due on ${e.due}. Review access lists every guest of the partner and every account it can use, with each one&#39;s role and last use; decide Keep or Remove for each.`,
      ) +
      mailButton(e.reviewUrl, 'Review access'),
  );
  return { subject, text, html };
}
