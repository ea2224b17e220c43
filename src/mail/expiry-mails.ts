/** The warning that access ends by itself in seven days (SPEC §8a): to the sponsor and the host admins. */

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

export interface AccessEndingMailInput {
  workspaceName: string;
  displayName: string;
  /** What ends, as a phrase: "Gus User's access to Instagram – Acme Brand", "the guest access of Gus User". */
  what: string;
  endsAt: Date;
  /** Where the recipient can change or remove the end date. */
  url: string;
}

export const accessEndingSubject = (endsAt: Date) => `Access on Gatehouse ends on ${formatUtc(endsAt)}`;

export function accessEndingMail(raw: AccessEndingMailInput): RenderedMail {
  const input = chosen(raw);
  const subject = accessEndingSubject(input.endsAt);
  const sentence = `${capitalised(input.what)} in ${input.workspaceName} ends on ${formatUtc(input.endsAt)}.`;
  const advice = 'Nothing needs doing if that is intended. To keep the access, choose a later date before then.';
  const text = [`Hello ${input.displayName},`, '', sentence, advice, '', `Open it: ${input.url}`, ''].join('\n');
  const html = mailDocument(
    subject,
    mailHeading('Access ends soon') +
      mailParagraph(`Hello ${escapeHtml(input.displayName)},`) +
      mailParagraph(escapeHtml(sentence)) +
      mailParagraph(escapeHtml(advice)) +
      mailButton(escapeHtml(input.url), 'Open in Gatehouse'),
  );
  return { subject, text, html };
}

const capitalised = (phrase: string) => phrase.charAt(0).toUpperCase() + phrase.slice(1);
