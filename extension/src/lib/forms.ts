/**
 * Finding a login page's fields and filling them the way typing would. Pure DOM code: it works on the
 * Document it is given and keeps no state, so the content script (which runs in every frame, same-site
 * iframes included) asks it about its own frame's document each time, and the tests run it on fixtures.
 *
 * The shapes it knows: username and password on one page (with or without a <form>, with or without
 * autocomplete attributes); the two-step login (a username page, then a password page); a login form
 * inside an iframe (the frame's own document is searched); a one-time-code page, with one field or one
 * box per digit.
 */

export interface LoginFields {
  username: HTMLInputElement | null;
  password: HTMLInputElement | null;
  oneTimeCode: HTMLInputElement | null;
  /** A one-time code typed one digit per box (6 to 8 boxes), when there is no single field for it. */
  oneTimeCodeDigits: HTMLInputElement[];
}

export function findLoginFields(doc: Document): LoginFields {
  const inputs = Array.from(doc.querySelectorAll('input')).filter(isUsable);
  const oneTimeCode = inputs.find((input) => looksLikeOneTimeCode(input) && maxLength(input) !== 1) ?? null;
  const oneTimeCodeDigits = oneTimeCode ? [] : findDigitBoxes(inputs);
  const password = choosePassword(inputs.filter((input) => input.type === 'password' && input !== oneTimeCode));
  const username = password ? usernameBeside(password, inputs) : usernameOnItsOwn(inputs);
  return { username, password, oneTimeCode, oneTimeCodeDigits };
}

/** Types a one-time code into the page's field for it, or digit by digit into its boxes. */
export function fillOneTimeCode(fields: LoginFields, code: string): boolean {
  if (fields.oneTimeCode) {
    fillField(fields.oneTimeCode, code);
    return true;
  }
  if (fields.oneTimeCodeDigits.length === 0 || fields.oneTimeCodeDigits.length !== code.length) return false;
  fields.oneTimeCodeDigits.forEach((box, index) => fillField(box, code[index]!));
  return true;
}

/**
 * Sets the value as a person typing would be seen: frameworks that track an input's value (React keeps
 * its own copy on the element) only notice a change made through the native setter, followed by the
 * input and change events. Works on an input from another frame (its own window's setter and events).
 */
export function fillField(input: HTMLInputElement, value: string): void {
  const view = input.ownerDocument.defaultView;
  const prototype = view ? view.HTMLInputElement.prototype : Object.getPrototypeOf(input);
  const setValue = Object.getOwnPropertyDescriptor(prototype, 'value')?.set;
  const EventType = view ? view.Event : Event;
  const KeyboardEventType = view ? view.KeyboardEvent : KeyboardEvent;
  const InputEventType = view ? view.InputEvent : InputEvent;

  input.focus();
  input.dispatchEvent(new KeyboardEventType('keydown', { bubbles: true, composed: true }));
  if (setValue) setValue.call(input, value);
  else input.value = value;
  input.dispatchEvent(new InputEventType('input', { bubbles: true, composed: true, inputType: 'insertText' }));
  input.dispatchEvent(new KeyboardEventType('keyup', { bubbles: true, composed: true }));
  input.dispatchEvent(new EventType('change', { bubbles: true }));
  input.blur();
}

const TEXT_TYPES = new Set(['text', 'email', 'tel', '']);
const CODE_TYPES = new Set(['text', 'tel', 'number', 'password', '']);

/** Something a person could type into: not hidden, disabled or read-only. */
function isUsable(input: HTMLInputElement): boolean {
  if (input.type === 'hidden' || input.disabled || input.readOnly) return false;
  if (input.closest('[hidden], [inert]')) return false;
  const view = input.ownerDocument.defaultView;
  if (!view) return true;
  if (view.getComputedStyle(input).visibility === 'hidden') return false;
  for (let element: Element | null = input; element; element = element.parentElement) {
    if (view.getComputedStyle(element).display === 'none') return false;
  }
  return true;
}

/**
 * A sign-in form's password, not a sign-up form's: the one marked current-password; otherwise the first
 * one not marked new-password; otherwise a lone password field. Two or more new passwords (a sign-up or
 * password-change form) give none.
 */
function choosePassword(passwords: HTMLInputElement[]): HTMLInputElement | null {
  const marked = (input: HTMLInputElement, token: string) => autocompleteTokens(input).includes(token);
  return (
    passwords.find((input) => marked(input, 'current-password')) ??
    passwords.find((input) => !marked(input, 'new-password')) ??
    (passwords.length === 1 ? passwords[0]! : null)
  );
}

/** On a page with the password: the username field of the same form, before the password. */
function usernameBeside(password: HTMLInputElement, usable: HTMLInputElement[]): HTMLInputElement | null {
  const scope = password.form ?? password.closest('form');
  const candidates = usable.filter(
    (input) =>
      isUsernameCandidate(input) &&
      (scope ? (input.form ?? input.closest('form')) === scope : true) &&
      precedes(input, password),
  );
  return candidates.find(markedAsUsername) ?? candidates.at(-1) ?? null;
}

/**
 * The first page of a two-step login: a lone username field. Without the password beside it, it must
 * say it is one (autocomplete, an e-mail type, or its name, id or label) and sit in a small form, so a
 * newsletter or contact form is not taken for a login.
 */
function usernameOnItsOwn(usable: HTMLInputElement[]): HTMLInputElement | null {
  const candidates = usable.filter(isUsernameCandidate);
  const marked = candidates.find((input) => autocompleteTokens(input).includes('username'));
  if (marked) return marked;
  return (
    candidates.find((input) => {
      if (input.type !== 'email' && !USERNAME_WORDS.test(describe(input))) return false;
      const scope = input.form ?? input.closest('form');
      if (!scope) return true;
      return (
        Array.from(scope.querySelectorAll('input')).filter((other) => isUsable(other) && TEXT_TYPES.has(other.type))
          .length <= 2
      );
    }) ?? null
  );
}

const USERNAME_WORDS = /\b(user|username|login|log in|sign in|signin|e ?mail|account|identifier|id)\b/;
const NOT_A_USERNAME =
  /\b(search|query|q|captcha|coupon|promo|newsletter|subscribe|zip|postal|postcode|first|last|full|company)\b/;

function isUsernameCandidate(input: HTMLInputElement): boolean {
  if (!TEXT_TYPES.has(input.type) || maxLength(input) === 1 || looksLikeOneTimeCode(input)) return false;
  if (input.closest('[role="search"]')) return false;
  return markedAsUsername(input) || !NOT_A_USERNAME.test(describe(input));
}

function markedAsUsername(input: HTMLInputElement): boolean {
  const tokens = autocompleteTokens(input);
  return tokens.includes('username') || tokens.includes('email');
}

const CODE_STRONG = /\b(otp|totp|2fa|tfa|mfa|passcode|authenticator|one time|two factor|two step|multi factor)\b/;
const CODE_WEAK = /\b(code|token|pin|verification|verify)\b/;
const NOT_A_CODE =
  /\b(zip|postal|postcode|promo|coupon|discount|voucher|gift|country|area|referral|invite|invitation|captcha)\b/;

/**
 * `autocomplete="one-time-code"`; or a name, id or label that says so (otp, totp, 2fa, …); or a weaker
 * word (code, token, pin) on a field made for a short number (numeric input mode, a digits pattern, a
 * number or tel type, or a maximum length of 6 to 8).
 */
function looksLikeOneTimeCode(input: HTMLInputElement): boolean {
  if (!CODE_TYPES.has(input.type)) return false;
  if (autocompleteTokens(input).includes('one-time-code')) return true;
  const description = describe(input);
  if (NOT_A_CODE.test(description)) return false;
  if (CODE_STRONG.test(description)) return true;
  return CODE_WEAK.test(description) && isShortNumberField(input);
}

/**
 * Six to eight one-character boxes side by side (the same parent, or the same grandparent when each box
 * has a wrapper) made for digits, or marked one-time-code: a code page that wants one digit per box.
 */
function findDigitBoxes(usable: HTMLInputElement[]): HTMLInputElement[] {
  const boxes = usable.filter(
    (input) => CODE_TYPES.has(input.type) && input.type !== 'password' && maxLength(input) === 1,
  );
  const groups: HTMLInputElement[][] = [];
  for (const box of boxes) {
    const group = groups.at(-1);
    const first = group?.[0];
    const together =
      first &&
      (box.parentElement === first.parentElement ||
        (box.parentElement?.parentElement != null &&
          box.parentElement.parentElement === first.parentElement?.parentElement));
    if (group && together) group.push(box);
    else groups.push([box]);
  }
  return (
    groups.find(
      (group) =>
        group.length >= 6 &&
        group.length <= 8 &&
        (group.some((box) => autocompleteTokens(box).includes('one-time-code')) ||
          group.every((box) => isDigitField(box))),
    ) ?? []
  );
}

function maxLength(input: HTMLInputElement): number | null {
  const value = input.getAttribute('maxlength');
  return value === null ? null : Number(value);
}

function isDigitField(input: HTMLInputElement): boolean {
  const inputMode = (input.getAttribute('inputmode') ?? '').toLowerCase();
  const pattern = input.getAttribute('pattern') ?? '';
  return inputMode === 'numeric' || input.type === 'number' || input.type === 'tel' || /\\d|\[0-9\]/.test(pattern);
}

function isShortNumberField(input: HTMLInputElement): boolean {
  const length = maxLength(input);
  return (
    isDigitField(input) ||
    (input.getAttribute('inputmode') ?? '').toLowerCase() === 'decimal' ||
    (length !== null && length >= 6 && length <= 8)
  );
}

function autocompleteTokens(input: HTMLInputElement): string[] {
  return (input.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The words a field is known by — name, id, placeholder, ARIA label and label text — in lower case, with
 * camelCase, snake_case and kebab-case split into words ("appOtp" → "app otp").
 */
function describe(input: HTMLInputElement): string {
  const doc = input.ownerDocument;
  const parts = [
    input.name,
    input.id,
    input.placeholder,
    input.getAttribute('aria-label') ?? '',
    ...(input.getAttribute('aria-labelledby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => doc.getElementById(id)?.textContent ?? ''),
    ...labelsOf(input).map((label) => label.textContent ?? ''),
  ];
  return parts
    .join(' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function labelsOf(input: HTMLInputElement): Element[] {
  const labels: Element[] = [];
  const wrapping = input.closest('label');
  if (wrapping) labels.push(wrapping);
  if (input.id) {
    for (const label of Array.from(input.ownerDocument.querySelectorAll('label'))) {
      if (label.htmlFor === input.id && label !== wrapping) labels.push(label);
    }
  }
  return labels;
}

function precedes(a: Node, b: Node): boolean {
  return (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
}
