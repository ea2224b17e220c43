// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { fillField, fillOneTimeCode, findLoginFields, type LoginFields } from './forms.js';

/** Login form shapes as real sites write them (trimmed to the parts that matter). */
const fixtures = {
  /** GitHub-like: labelled fields with autocomplete, a search box and a newsletter form around them. */
  singlePage: `
    <header><form role="search" action="/search"><input type="text" name="q" placeholder="Search"></form></header>
    <form action="/session" method="post">
      <input type="hidden" name="authenticity_token" value="x">
      <label for="login_field">Username or email address</label>
      <input type="text" name="login" id="login_field" autocomplete="username" autofocus>
      <label for="password">Password</label>
      <input type="password" name="password" id="password" autocomplete="current-password">
      <input type="submit" value="Sign in">
    </form>
    <footer><form><label>Newsletter <input type="email" name="newsletter_email"></label></form></footer>`,

  /** A single-page app's form: no <form>, no autocomplete, placeholders only, a hidden honeypot. */
  noFormNoHints: `
    <div class="login">
      <input type="password" name="trap" style="display:none">
      <input placeholder="Email">
      <input type="password" placeholder="Password">
      <button type="button">Log in</button>
    </div>`,

  /** Sign-in and sign-up side by side: the sign-in form's fields, not the new-password ones. */
  signInBesideSignUp: `
    <form id="signup">
      <input type="email" name="signup_email" autocomplete="email">
      <input type="password" name="signup_password" autocomplete="new-password">
      <input type="password" name="signup_confirm" autocomplete="new-password">
    </form>
    <form id="signin">
      <input type="email" name="email" id="signin-email">
      <input type="password" name="pass" autocomplete="current-password">
    </form>`,

  /** Google/Microsoft-like two-step login, first page: the username only. */
  twoStepUsername: `
    <form action="/signin/identifier">
      <input type="hidden" name="flowToken" value="x">
      <label for="identifierId">Email or phone</label>
      <input type="email" id="identifierId" name="identifier" autocomplete="username webauthn">
      <button>Next</button>
    </form>`,

  /** Two-step login, second page: the username is shown as text or kept in a hidden field. */
  twoStepPassword: `
    <form action="/signin/challenge/pwd">
      <div>alice@example.com</div>
      <input type="email" name="username" autocomplete="username" value="alice@example.com" hidden>
      <label for="pwd">Enter your password</label>
      <input type="password" id="pwd" name="Passwd" autocomplete="current-password">
      <button>Next</button>
    </form>`,

  /** GitHub's two-factor page. */
  oneTimeCodeAutocomplete: `
    <form action="/sessions/two-factor">
      <label for="app_totp">Authentication code</label>
      <input type="text" name="app_otp" id="app_totp" autocomplete="one-time-code" inputmode="numeric"
        pattern="([0-9]{6})|([0-9a-fA-F]{5}-?[0-9a-fA-F]{5})" maxlength="6">
      <button type="submit">Verify</button>
    </form>`,

  /** A two-factor page without autocomplete: known by its label, numeric mode and length. */
  oneTimeCodeByLabel: `
    <form>
      <label for="mfa-input">Enter the code from your authenticator app</label>
      <input type="text" id="mfa-input" name="code" inputmode="numeric" maxlength="6">
      <button>Continue</button>
    </form>`,

  /** A code page with one box per digit (each wrapped), the first marked one-time-code. */
  oneTimeCodeDigits: `
    <form>
      <p id="code-label">Enter the 6-digit code from your authenticator app</p>
      <div role="group" aria-labelledby="code-label">
        ${Array.from(
          { length: 6 },
          (_, index) =>
            `<span><input type="text" inputmode="numeric" maxlength="1" aria-label="Digit ${index + 1}"
            ${index === 0 ? 'autocomplete="one-time-code"' : ''}></span>`,
        ).join('')}
      </div>
      <button>Verify</button>
    </form>`,

  /** Four one-character boxes (a PIN) are no one-time code. */
  pinBoxes: `
    <form>${'<input type="text" inputmode="numeric" maxlength="1">'.repeat(4)}</form>`,

  /** A checkout page: postal and promo codes are not one-time codes, nor usernames. */
  checkout: `
    <form>
      <label>Promo code <input name="promo_code" maxlength="8"></label>
      <label>Postal code <input name="postal_code" inputmode="numeric" maxlength="6"></label>
      <label>First name <input name="first_name"></label>
    </form>`,

  /** A contact form: an e-mail field among many is not a username page. */
  contact: `
    <form>
      <input name="name" placeholder="Your name">
      <input type="email" name="email" placeholder="Email">
      <input name="subject" placeholder="Subject">
      <textarea name="message"></textarea>
    </form>`,
};

function load(html: string): LoginFields {
  document.body.innerHTML = html;
  return findLoginFields(document);
}

const nameOf = (input: HTMLInputElement | null) => input?.name ?? null;

afterEach(() => {
  document.body.innerHTML = '';
});

describe('findLoginFields', () => {
  it('finds the username and password of a single-page form, past the search and newsletter boxes', () => {
    const fields = load(fixtures.singlePage);
    expect(nameOf(fields.username)).toBe('login');
    expect(nameOf(fields.password)).toBe('password');
    expect(fields.oneTimeCode).toBeNull();
  });

  it('finds fields without a form or hints, skipping a hidden honeypot', () => {
    const fields = load(fixtures.noFormNoHints);
    expect(fields.username?.placeholder).toBe('Email');
    expect(fields.password?.placeholder).toBe('Password');
  });

  it('takes the sign-in form, not the sign-up form beside it', () => {
    const fields = load(fixtures.signInBesideSignUp);
    expect(nameOf(fields.username)).toBe('email');
    expect(nameOf(fields.password)).toBe('pass');
  });

  it('gives no password for a sign-up form alone', () => {
    const fields = load(`<form>${fixtures.signInBesideSignUp.split('<form id="signin">')[0]}`);
    expect(fields.password).toBeNull();
  });

  it('finds the username on the first page of a two-step login', () => {
    const fields = load(fixtures.twoStepUsername);
    expect(nameOf(fields.username)).toBe('identifier');
    expect(fields.password).toBeNull();
  });

  it('finds the password on the second page, and no username where none can be typed', () => {
    const fields = load(fixtures.twoStepPassword);
    expect(nameOf(fields.password)).toBe('Passwd');
    expect(fields.username).toBeNull();
  });

  it('finds a one-time-code field marked with autocomplete', () => {
    const fields = load(fixtures.oneTimeCodeAutocomplete);
    expect(nameOf(fields.oneTimeCode)).toBe('app_otp');
    expect(fillOneTimeCode(fields, '123456')).toBe(true);
    expect(fields.oneTimeCode?.value).toBe('123456');
    expect(fields.username).toBeNull();
    expect(fields.password).toBeNull();
  });

  it('finds a one-time-code field by its label and shape', () => {
    const fields = load(fixtures.oneTimeCodeByLabel);
    expect(fields.oneTimeCode?.id).toBe('mfa-input');
    expect(fields.username).toBeNull();
  });

  it('finds a one-time code asked for one digit per box, and types it in digit by digit', () => {
    const fields = load(fixtures.oneTimeCodeDigits);
    expect(fields.oneTimeCode).toBeNull();
    expect(fields.oneTimeCodeDigits.map((box) => box.getAttribute('aria-label'))).toEqual(
      Array.from({ length: 6 }, (_, index) => `Digit ${index + 1}`),
    );
    expect(fields.username).toBeNull();

    expect(fillOneTimeCode(fields, '12345')).toBe(false);
    expect(fillOneTimeCode(fields, '123456')).toBe(true);
    expect(fields.oneTimeCodeDigits.map((box) => box.value).join('')).toBe('123456');
  });

  it('takes four PIN boxes for no one-time code', () => {
    expect(load(fixtures.pinBoxes)).toEqual({
      username: null,
      password: null,
      oneTimeCode: null,
      oneTimeCodeDigits: [],
    });
  });

  it('takes no postal or promo code for a one-time code, nor a checkout or contact form for a login', () => {
    expect(load(fixtures.checkout)).toEqual({
      username: null,
      password: null,
      oneTimeCode: null,
      oneTimeCodeDigits: [],
    });
    expect(load(fixtures.contact)).toEqual({
      username: null,
      password: null,
      oneTimeCode: null,
      oneTimeCodeDigits: [],
    });
  });

  it("searches a same-site iframe's own document, not the page around it", async () => {
    document.body.innerHTML = '<h1>Example</h1>';
    const iframe = document.createElement('iframe');
    iframe.title = 'Sign in';
    iframe.srcdoc = fixtures.singlePage;
    const loaded = new Promise((resolve) => iframe.addEventListener('load', resolve, { once: true }));
    document.body.append(iframe);
    await loaded;
    const frameDocument = iframe.contentDocument!;

    expect(findLoginFields(document)).toEqual({
      username: null,
      password: null,
      oneTimeCode: null,
      oneTimeCodeDigits: [],
    });
    const fields = findLoginFields(frameDocument);
    expect(nameOf(fields.username)).toBe('login');
    expect(nameOf(fields.password)).toBe('password');

    fillField(fields.password!, 'frame secret');
    expect((frameDocument.getElementById('password') as HTMLInputElement).value).toBe('frame secret');
  });
});

describe('fillField', () => {
  it('sets the value and sends the input and change events a person typing would', () => {
    document.body.innerHTML = '<form><input name="login"></form>';
    const input = document.querySelector('input')!;
    const events: string[] = [];
    for (const type of ['keydown', 'input', 'keyup', 'change']) {
      document.addEventListener(type, (event) =>
        events.push(`${event.type}:${(event.target as HTMLInputElement).value}`),
      );
    }
    fillField(input, 'alice');
    expect(input.value).toBe('alice');
    expect(events).toEqual(['keydown:', 'input:alice', 'keyup:alice', 'change:alice']);
  });

  it('is noticed by a framework that tracks the value on the element (as React does)', () => {
    document.body.innerHTML = '<input name="login">';
    const input = document.querySelector('input')!;
    // React keeps its own copy of the value through a property on the element and ignores an input
    // event when the element's value equals that copy, so `input.value = …` alone goes unnoticed.
    const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
    let tracked = '';
    Object.defineProperty(input, 'value', {
      configurable: true,
      get: () => native.get!.call(input),
      set: (value: string) => {
        tracked = value;
        native.set!.call(input, value);
      },
    });
    const seen: string[] = [];
    input.addEventListener('input', () => {
      if (input.value !== tracked) seen.push(input.value);
      tracked = input.value;
    });

    fillField(input, 'alice');
    expect(seen).toEqual(['alice']);
  });
});
