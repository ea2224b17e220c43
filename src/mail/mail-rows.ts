/**
 * The rows and links the member and notification mails share, beside the document, heading, paragraph
 * and button of templates.ts: the grey small print at the foot of the card, and a URL written out in full.
 * Every argument is HTML already escaped.
 */

import { MAIL_FONT } from './templates.js';

/** The URL as its own text, free to break anywhere on a narrow screen. */
export const mailLink = (url: string, color = '#1864ab') =>
  `<a href="${url}" style="color:${color};word-break:break-all;">${url}</a>`;

/** The card's last row: what the person may need if something is off, in smaller grey type. */
export const mailSmallPrint = (html: string) =>
  `<tr><td style="padding:0 32px 32px 32px;${MAIL_FONT}font-size:13px;line-height:19px;color:#666666;">${html}</td></tr>\n`;

/** For a mail client that does not follow the button: its link, written out. */
export const mailButtonFallback = (url: string, color?: string) =>
  `If the button does not work, open this link: ${mailLink(url, color)}`;
