import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import {
  addMember,
  completeFirstSignIn,
  createPartner,
  GUEST_PASSWORD,
  me,
  readInvitation,
} from '../helpers/partners.js';
import { expireOverdueInvitations } from '../../src/services/invitations/expire-overdue.js';
import { turnOnMfa } from '../helpers/mfa.js';

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

const del = (client: TestClient, url: string) => client.request({ method: 'DELETE', url });
const actions = async () =>
  ((await owner.get('/api/v1/activity?limit=1000')).json().events as Array<{ action: string }>).map((e) => e.action);

describe('adding a partner', () => {
  it('creates the partner with its hosts and an invited guest admin, and shows the invitation state', async () => {
    const hostId = await addMember(owner, 'hugo@acme.test');
    const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId, hostId]);
    const detail = (await owner.get(`/api/v1/partners/${partner.id}`)).json();
    expect(
      detail.members.map((m: { email: string; partnerRole: string; status: string }) => [
        m.email,
        m.partnerRole,
        m.status,
      ]),
    ).toEqual([
      ['ada@acme.test', 'host_admin', 'active'],
      ['hugo@acme.test', 'host_admin', 'active'],
      ['gail@agency.test', 'guest_admin', 'invited'],
    ]);
    const invited = detail.members[2];
    expect(invited.invitation).toMatchObject({ state: 'pending', timesSent: 1 });
    expect(['queued', 'sent']).toContain(invited.invitation.delivery.state);
    const list = (await owner.get('/api/v1/partners')).json().partners;
    expect(list).toEqual([
      expect.objectContaining({
        name: 'Agency One',
        hostAdmins: ['Ada Owner', 'hugo Member'],
        guestCount: 1,
        myRole: 'host_admin',
      }),
    ]);
    expect(await actions()).toEqual(
      expect.arrayContaining(['partner.created', 'partner.host_admin_assigned', 'user.invited']),
    );
  });

  it('refuses a guest from the workspace or a host admin domain, a taken email and a taken name, each clearly', async () => {
    await t.database.db
      .updateTable('workspaces')
      .set({ verified_domains: ['acme-corp.test'] })
      .execute();
    const hostId = await addMember(owner, 'hugo@hostco.test');
    const attempt = (name: string, email: string, hosts = [ownerId]) =>
      owner.post('/api/v1/partners', { name, guestAdminEmail: email, hostAdminIds: hosts });

    const verified = await attempt('P1', 'someone@acme-corp.test');
    expect(verified.statusCode).toBe(422);
    expect(verified.json()).toMatchObject({
      type: '/api/problems/guest-domain-not-allowed',
      errors: [{ path: 'email' }],
    });
    const hostDomain = await attempt('P2', 'someone@hostco.test', [hostId]);
    expect(hostDomain.json().detail).toContain('host admin');
    const ownDomain = await attempt('P3', 'other@acme.test');
    expect(ownDomain.statusCode).toBe(422);

    await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
    const sameGuest = await attempt('Agency Two', 'GAIL@agency.test');
    expect(sameGuest.statusCode).toBe(409);
    expect(sameGuest.json().type).toBe('/api/problems/guest-exists');
    const sameName = await attempt('agency one', 'x@else.test');
    expect(sameName.statusCode).toBe(409);
    expect(sameName.json()).toMatchObject({ type: '/api/problems/partner-name-taken', errors: [{ path: 'name' }] });
    const noHost = await attempt('P4', 'y@else.test', []);
    expect(noHost.json().type).toBe('/api/problems/host-admin-required');
    const memberEmail = await owner.post(
      `/api/v1/partners/${(await owner.get('/api/v1/partners')).json().partners[0].id}/guests`,
      { email: 'hugo@hostco.test' },
    );
    expect(memberEmail.statusCode).toBe(409);
    expect(memberEmail.json().type).toBe('/api/problems/email-taken');

    // Nothing of the refused attempts was kept.
    expect((await owner.get('/api/v1/partners')).json().partners).toHaveLength(1);
    expect(await t.database.db.selectFrom('users').select('email').where('kind', '=', 'guest').execute()).toEqual([
      { email: 'gail@agency.test' },
    ]);
  });
});

describe('effects (SPEC §3), each on the very next request', () => {
  it('removing a guest deactivates them, ends their sessions and takes them out of the partner', async () => {
    const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
    const guest = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
    const guestId = (await me(guest)).user.id;
    expect((await guest.get(`/api/v1/partners/${partner.id}`)).statusCode).toBe(200);

    expect((await del(owner, `/api/v1/partners/${partner.id}/guests/${guestId}`)).statusCode).toBe(204);
    expect((await guest.get('/api/v1/auth/session')).statusCode).toBe(401);
    const again = await t
      .client()
      .post('/api/v1/auth/sign-in', { workspace: 'acme', username: 'gail@agency.test', password: GUEST_PASSWORD });
    expect(again.statusCode).toBe(401);
    const user = await t.database.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', guestId)
      .executeTakeFirstOrThrow();
    expect(user.status).toBe('deactivated');
    expect(
      (await owner.get(`/api/v1/partners/${partner.id}`)).json().members.map((m: { email: string }) => m.email),
    ).toEqual(['ada@acme.test']);
    expect(await actions()).toEqual(expect.arrayContaining(['partner.guest_removed', 'user.deactivated']));

    // Invited again later, the same person comes back as the same user, invited anew.
    await owner.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gail@agency.test' });
    const back = await t.database.db
      .selectFrom('users')
      .select(['id', 'status'])
      .where('email', '=', 'gail@agency.test')
      .executeTakeFirstOrThrow();
    expect(back).toEqual({ id: guestId, status: 'invited' });
  });

  it('removing the partner deactivates every guest and drops the host-admin role', async () => {
    const hostId = await addMember(owner, 'hugo@acme.test');
    const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [hostId]);
    const guestAdmin = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
    await guestAdmin.post(`/api/v1/partners/${partner.id}/guests`, { email: 'gus@agency.test' });
    const pending = await readInvitation(owner, 'gus@agency.test');

    // Removing a partner needs MFA and a recent identity confirmation (SPEC §5).
    const refused = await del(owner, `/api/v1/partners/${partner.id}`);
    expect(refused.json().type).toBe('/api/problems/mfa-required');
    await turnOnMfa(owner);
    expect((await del(owner, `/api/v1/partners/${partner.id}`)).statusCode).toBe(204);
    expect((await guestAdmin.get('/api/v1/auth/session')).statusCode).toBe(401);
    const guests = await t.database.db
      .selectFrom('users')
      .select(['email', 'status'])
      .where('kind', '=', 'guest')
      .orderBy('email')
      .execute();
    expect(guests).toEqual([
      { email: 'gail@agency.test', status: 'deactivated' },
      { email: 'gus@agency.test', status: 'deactivated' },
    ]);
    expect((await t.client().get(`/api/v1/invitations/by-token/${pending.token}`)).json().state).toBe('revoked');
    expect(
      await t.database.db.selectFrom('partner_members').selectAll().where('user_id', '=', hostId).execute(),
    ).toEqual([]);
    expect((await owner.get('/api/v1/partners')).json().partners).toEqual([]);
    expect((await owner.get(`/api/v1/partners/${partner.id}`)).statusCode).toBe(404);
    expect(await actions()).toContain('partner.removed');
  });

  it('renaming, host changes and role changes are recorded; role changes do not touch membership otherwise', async () => {
    const hostId = await addMember(owner, 'hugo@acme.test');
    const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
    const guest = await completeFirstSignIn(t, await readInvitation(owner, 'gail@agency.test'));
    const guestId = (await me(guest)).user.id;
    expect(
      (
        await owner.request({
          method: 'PATCH',
          url: `/api/v1/partners/${partner.id}`,
          payload: { name: 'Agency Prime' },
        })
      ).json().name,
    ).toBe('Agency Prime');
    expect((await owner.post(`/api/v1/partners/${partner.id}/host-admins`, { userId: hostId })).statusCode).toBe(200);
    expect((await del(owner, `/api/v1/partners/${partner.id}/host-admins/${ownerId}`)).statusCode).toBe(200);
    expect((await owner.get(`/api/v1/partners/${partner.id}`)).json().myRole).toBeNull();
    const demoted = await owner.request({
      method: 'PATCH',
      url: `/api/v1/partners/${partner.id}/guests/${guestId}`,
      payload: { role: 'guest_user' },
    });
    expect(demoted.json().members.find((m: { userId: string }) => m.userId === guestId).partnerRole).toBe('guest_user');
    expect((await guest.get(`/api/v1/partners/${partner.id}`)).json().myRole).toBe('guest_user');
    expect(await actions()).toEqual(
      expect.arrayContaining([
        'partner.renamed',
        'partner.host_admin_assigned',
        'partner.host_admin_removed',
        'partner.guest_role_changed',
        'user.joined',
        'user.password_changed',
        'terms.accepted',
      ]),
    );
  });

  it('overdue invitations are marked expired by the sweeper, with an event, and can be resent', async () => {
    const partner = await createPartner(owner, 'Agency One', 'gail@agency.test', [ownerId]);
    await t.database.db
      .updateTable('invitations')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .execute();
    expect(await t.app.unitOfWork.run(expireOverdueInvitations)).toBe(1);
    expect(await t.app.unitOfWork.run(expireOverdueInvitations)).toBe(0);
    const member = (await owner.get(`/api/v1/partners/${partner.id}`))
      .json()
      .members.find((m: { email: string }) => m.email === 'gail@agency.test');
    expect(member.invitation.state).toBe('expired');
    expect(await actions()).toContain('invitation.expired');
    expect((await owner.post(`/api/v1/invitations/${member.invitation.id}/resend`)).statusCode).toBe(204);
    expect((await owner.get(`/api/v1/partners/${partner.id}`)).json().members[1].invitation.state).toBe('pending');
  });
});
