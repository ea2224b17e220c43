import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, completeFirstSignIn, createPartner, me, readInvitation } from '../helpers/partners.js';

/**
 * Issue 11: a guest admin who invites someone already the guest of another partner must not learn it.
 * They get the answer any invitation gets; nothing is sent to the address; the host admins are told.
 */

let t: TestApp;
let owner: TestClient;
let ownerId: string;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
  ownerId = (await me(owner)).user.id;
});
afterEach(async () => {
  await t.close();
});

type Mail = { to: string; subject: string; text: string };
const outbox = async () => (await owner.get('/api/v1/dev/outbox')).json().messages as Mail[];

it("answers a guest admin as for any invitation, sends nothing to another partner's guest, and tells the host admins", async () => {
  const agency = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  await createPartner(owner, 'Rival Media', 'rex@rival.test', [ownerId]);
  const gail = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
  const mailsToRex = (await outbox()).filter((m) => m.to === 'rex@rival.test').length;

  const answer = await gail.post(`/api/v1/partners/${agency.id}/guests`, { email: 'REX@rival.test' });
  expect(answer.statusCode, answer.body).toBe(201);
  expect(answer.json()).toEqual({ results: [{ email: 'REX@rival.test', status: 'invited' }] });
  expect(answer.body).not.toContain('Rival');
  // A fresh address gets the same answer, and an invitation.
  const fresh = await gail.post(`/api/v1/partners/${agency.id}/guests`, { email: 'nina@agency.test' });
  expect(fresh.statusCode).toBe(201);
  expect(fresh.json()).toEqual({ results: [{ email: 'nina@agency.test', status: 'invited' }] });

  const mails = await outbox();
  expect(mails.filter((m) => m.to === 'rex@rival.test')).toHaveLength(mailsToRex);
  expect(mails.some((m) => m.to === 'nina@agency.test' && m.text.includes('Temporary password:'))).toBe(true);
  const told = mails.find((m) => m.subject === 'A guest invitation was not sent');
  expect(told?.to).toBe('ada@acme.test');
  expect(told?.text).toContain('tried to invite REX@rival.test');
  expect(told?.text).toContain('already the guest of another partner');

  // Rex stays where he was; the activity log keeps what happened.
  const rex = await t.database.db
    .selectFrom('partner_members as pm')
    .innerJoin('partners as p', 'p.id', 'pm.partner_id')
    .innerJoin('users as u', 'u.id', 'pm.user_id')
    .select('p.name')
    .where('u.email', '=', 'rex@rival.test')
    .execute();
  expect(rex).toEqual([{ name: 'Rival Media' }]);
  const events = (await owner.get('/api/v1/activity')).json().events as Array<{ action: string; details: unknown }>;
  expect(events.find((e) => e.action === 'invitation.withheld')?.details).toEqual({
    email: 'REX@rival.test',
    reason: 'guest_of_another_partner',
    hostAdminsTold: 1,
  });
});

it('a host admin, who may know, is told plainly', async () => {
  const agency = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  await createPartner(owner, 'Rival Media', 'rex@rival.test', [ownerId]);
  const refused = await owner.post(`/api/v1/partners/${agency.id}/guests`, { email: 'rex@rival.test' });
  expect(refused.statusCode).toBe(409);
  expect(refused.json().type).toBe('/api/problems/guest-exists');
});

it("a guest admin inviting a member's outside address learns nothing either; the host admins are told it is a member", async () => {
  // A contractor who is a member with an address outside the workspace's domains.
  await addMember(owner, 'carla@freelance.test');
  const agency = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
  const gail = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
  const mailsToCarla = (await outbox()).filter((m) => m.to === 'carla@freelance.test').length;

  const answer = await gail.post(`/api/v1/partners/${agency.id}/guests`, { email: 'carla@freelance.test' });
  expect(answer.statusCode, answer.body).toBe(201);
  expect(answer.json()).toEqual({ results: [{ email: 'carla@freelance.test', status: 'invited' }] });
  expect(answer.body).not.toContain('member');

  const mails = await outbox();
  expect(mails.filter((m) => m.to === 'carla@freelance.test')).toHaveLength(mailsToCarla);
  const told = mails.find((m) => m.subject === 'A guest invitation was not sent');
  expect(told?.text).toContain('belongs to a member of Acme Inc, who cannot also be a guest');
  const events = (await owner.get('/api/v1/activity')).json().events as Array<{ action: string; details: unknown }>;
  expect(events.find((e) => e.action === 'invitation.withheld')?.details).toMatchObject({ reason: 'member' });
  // The owner, who may know, is told plainly.
  const refused = await owner.post(`/api/v1/partners/${agency.id}/guests`, { email: 'carla@freelance.test' });
  expect(refused.json().type).toBe('/api/problems/email-taken');
});
