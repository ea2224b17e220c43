const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDate(iso: string): string {
  const date = parse(iso);
  return date ? dateFormat.format(date) : iso;
}

export function formatDateTime(iso: string): string {
  const date = parse(iso);
  return date ? dateTimeFormat.format(date) : iso;
}

export function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/**
 * The period that ends a sentence whose last words are `text`: none when they already end with . ! or ?
 * (perhaps inside closing quotes), so a name such as “Acme Marketing & Co.” ends a sentence once.
 */
export function periodAfter(text: string): string {
  return /[.!?]["'”’]*\s*$/u.test(text) ? '' : '.';
}

/** `text` as a sentence: a period added unless it already ends with one (see periodAfter). */
export function sentence(text: string): string {
  return text + periodAfter(text);
}
