#!/usr/bin/env node
// Copies the screenshots the user guide shows (docs/user-guide.md) from the browser tests' shots folder into
// docs/user-guide/ under stable names, so the guide's links do not change when a test renames a shot.
// Run the browser tests first (they write the shots), then `npm run docs:screenshots`.
// The shots folder is GATEHOUSE_SHOTS_DIR, or /tmp/gatehouse-shots as test/helpers/browser.ts writes it.
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shotsDir = process.env.GATEHOUSE_SHOTS_DIR ?? '/tmp/gatehouse-shots';
const guideImagesDir = join(root, 'docs', 'user-guide');

/** Name in docs/user-guide/ → the browser tests' shot it is copied from. Desktop is 1280 wide, phone 390. */
export const guideScreenshots = {
  // Signing in and first steps
  'first-run-setup.png': 'setup.png',
  'sign-in.png': 'sign-in-forgot-link-1280x800.png',
  'verify-its-you.png': 'mfa-verification-page.png',
  'forgot-password.png': 'forgot-password-1280x800.png',
  'join-workspace.png': 'join-workspace-1280x800.png',
  'guest-invitation-waiting-page.png': 'idp-waiting-invitation.png',
  'change-password.png': 'guest-onboarding-admin-change-password.png',
  'terms-of-service-agreement.png': 'guest-onboarding-admin-terms.png',
  'dashboard.png': 'dashboard.png',
  // Accounts
  'accounts.png': 'accounts-cards.png',
  'account-details.png': 'accounts-log-in-totp-code-1280x800.png',
  'account-edit.png': 'accounts-edit-password-generator-1280x800.png',
  'account-users.png': 'accounts-users-tab.png',
  'account-share-access.png': 'sharing-is-it-ok.png',
  'account-guest-user-log-in.png': 'sharing-guest-user-log-in.png',
  // Partners
  'partners-add-partner.png': 'guest-onboarding-add-partner.png',
  'partner-members.png': 'guest-onboarding-partner-page.png',
  'partner-invite-guest-users.png': 'invite-guest-users-results-1280x800.png',
  'partner-share-accounts.png': 'sharing-select-accounts-and-roles-1280x800.png',
  'partner-accounts.png': 'sharing-remove-from-partner.png',
  'partner-member-details.png': 'partner-member-guest-access-ends-on-1280x800.png',
  'review-access.png': 'access-reviews-list-1280x800.png',
  'access-review.png': 'access-review-open-1280x800.png',
  // The rest of the navigation
  'members.png': 'members-1280x800.png',
  'activity.png': 'activity-filtered-1280x800.png',
  'security.png': 'mfa-enrolment.png',
  'set-up-a-trusted-session.png': 'devices-name-your-device.png',
  'my-trusted-devices.png': 'devices-my-trusted-devices.png',
  'client-apps.png': 'client-apps-install-1280x800.png',
  'connect.png': 'connect-request-1280x800.png',
  'workspace-settings.png': 'workspace-ownership-1280x800.png',
  'extension-popup.png': 'extension-popup-accounts.png',
  // On a phone
  'phone-dashboard.png': 'dashboard-device-waiting-390x844.png',
  'phone-share-accounts.png': 'sharing-select-accounts-and-roles-390x844.png',
  'phone-my-activity.png': 'activity-guest-390x844.png',
};

const exists = (path) =>
  stat(path).then(
    () => true,
    () => false,
  );

async function main() {
  const missing = [];
  for (const [target, source] of Object.entries(guideScreenshots)) {
    if (!(await exists(join(shotsDir, source)))) missing.push(`${source} (for ${target})`);
  }
  if (missing.length > 0) {
    console.error(`Missing in ${shotsDir} (run the browser tests first: npx vitest run --project browser):`);
    for (const line of missing) console.error(`  ${line}`);
    process.exit(1);
  }

  await mkdir(guideImagesDir, { recursive: true });
  // A name dropped from the list leaves the folder too, so the guide's folder holds only what it links.
  for (const name of await readdir(guideImagesDir)) {
    if (name.endsWith('.png') && !(name in guideScreenshots)) await rm(join(guideImagesDir, name));
  }
  let bytes = 0;
  for (const [target, source] of Object.entries(guideScreenshots)) {
    await copyFile(join(shotsDir, source), join(guideImagesDir, target));
    bytes += (await stat(join(guideImagesDir, target))).size;
  }
  const count = Object.keys(guideScreenshots).length;
  console.log(`${count} screenshots copied to docs/user-guide/ (${(bytes / 1024 / 1024).toFixed(1)} MB)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
