import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, setUpWorkspace, type TestApp } from '../helpers/app.js';
import type { TestClient } from '../helpers/client.js';
import { addMember, createPartner, me, MEMBER_PASSWORD, readInvitation, signIn } from '../helpers/partners.js';

let t: TestApp;
let owner: TestClient;

beforeEach(async () => {
  t = await createTestApp();
  owner = await setUpWorkspace(t);
});
afterEach(async () => {
  await t.close();
});

const patch = (client: TestClient, payload: unknown) =>
  client.request({ method: 'PATCH', url: '/api/v1/workspace/settings', payload });

describe('workspace settings', () => {
  it('start at the defaults: 48-hour invitations, 12-character passwords, 5-second IdP countdown', async () => {
    expect((await owner.get('/api/v1/workspace/settings')).json()).toEqual({
      name: 'Acme Inc',
      invitationTtlHours: 48,
      passwordMinLength: 12,
      idpRedirectSeconds: 5,
      verifiedDomains: [],
      deviceApprovalDays: 90,
      approvedClientApps: ['extension'],
    });
  });

  it('a shorter invitation lifetime applies to the next invitation, and the change is recorded', async () => {
    const updated = await patch(owner, { invitationTtlHours: 2 });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().invitationTtlHours).toBe(2);
    await createPartner(owner, 'Agency One', 'gail@agency.test', [(await me(owner)).user.id]);
    const link = (
      await t.client().get(`/api/v1/invitations/by-token/${(await readInvitation(owner, 'gail@agency.test')).token}`)
    ).json();
    const hours = (new Date(link.expiresAt).getTime() - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);
    const event = (await owner.get('/api/v1/activity'))
      .json()
      .events.find((e: { action: string }) => e.action === 'workspace.settings_changed');
    expect(event.details).toEqual({ invitationTtlHours: { from: 48, to: 2 } });
  });

  it('a longer minimum password length is enforced and shown in the policy', async () => {
    await patch(owner, { passwordMinLength: 20 });
    expect((await owner.get('/api/v1/auth/password-policy')).json()).toMatchObject({
      minLength: 20,
      rules: expect.arrayContaining([{ id: 'min-length', label: 'At least 20 characters' }]),
    });
    await createPartner(owner, 'Agency One', 'gail@agency.test', [(await me(owner)).user.id]);
    const invitation = await readInvitation(owner, 'gail@agency.test');
    const guest = await signIn(t, invitation.username, invitation.temporaryPassword);
    const response = await guest.post('/api/v1/auth/change-password', {
      newPassword: 'only sixteen chr',
      newPasswordAgain: 'only sixteen chr',
      givenName: 'Gail',
      familyName: 'Guest',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toContainEqual({ path: 'newPassword', message: 'Use at least 20 characters.' });
  });

  it('verified domains keep guests from those domains out', async () => {
    const updated = await patch(owner, { verifiedDomains: ['Acme-Group.test', 'acme-group.test'] });
    expect(updated.json().verifiedDomains).toEqual(['acme-group.test']);
    const response = await owner.post('/api/v1/partners', {
      name: 'Agency One',
      guestAdminEmail: 'x@acme-group.test',
      hostAdminIds: [(await me(owner)).user.id],
    });
    expect(response.json().type).toBe('/api/problems/guest-domain-not-allowed');
  });

  it('refuses bad values and people who are not admins', async () => {
    for (const body of [
      { invitationTtlHours: 0 },
      { passwordMinLength: 4 },
      { idpRedirectSeconds: 61 },
      { verifiedDomains: ['not a domain'] },
      { unknown: 1 },
    ]) {
      const response = await patch(owner, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    await addMember(owner, 'mia@acme.test');
    const member = await signIn(t, 'mia@acme.test', MEMBER_PASSWORD);
    await member.post('/api/v1/terms/accept', { version: 1 });
    expect((await member.get('/api/v1/workspace/settings')).statusCode).toBe(403);
    expect((await patch(member, { invitationTtlHours: 1 })).statusCode).toBe(403);
    expect((await owner.get('/api/v1/workspace/settings')).json().invitationTtlHours).toBe(48);
  });
});
