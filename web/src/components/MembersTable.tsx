import { ActionIcon, Anchor, Badge, Group, Menu, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import type { Member, MemberStatus } from '../api';
import { capitalize, formatDate, formatDateTime } from '../lib/format';
import { ResetMfaButton } from './ResetMfaSection';
import stacked from './StackedTable.module.css';

const statusColor: Record<MemberStatus, string> = {
  active: 'teal',
  invited: 'blue',
  deactivated: 'gray',
};

/** What an admin can do with one member row (SPEC §2a). */
export type MemberRowAction = 'changeRole' | 'changeEmail' | 'resend' | 'revoke' | 'deactivate' | 'reactivate';

const actionLabels: Record<MemberRowAction, string> = {
  changeRole: 'Change role',
  changeEmail: 'Change email',
  resend: 'Resend invitation',
  revoke: 'Revoke',
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
};
const dangerous: ReadonlySet<MemberRowAction> = new Set(['revoke', 'deactivate']);

/** The actions the server would allow on this member, in menu order. */
export function memberRowActions(member: Member, changeEmailAvailable: boolean): MemberRowAction[] {
  const p = member.permissions;
  return [
    ...(p.resendInvitation ? (['resend'] as const) : []),
    ...(p.revokeInvitation ? (['revoke'] as const) : []),
    ...(p.changeRole ? (['changeRole'] as const) : []),
    ...(p.changeEmail && changeEmailAvailable ? (['changeEmail'] as const) : []),
    ...(p.reactivate ? (['reactivate'] as const) : []),
    ...(p.deactivate ? (['deactivate'] as const) : []),
  ];
}

/** "Authenticator app, 2 passkeys", or "Off". */
function describeMfa(mfa: Member['mfa']): string {
  const parts = [
    ...(mfa.totp ? ['Authenticator app'] : []),
    ...(mfa.passkeys > 0 ? [mfa.passkeys === 1 ? '1 passkey' : `${mfa.passkeys} passkeys`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'Off';
}

const deliveryText = {
  pending: 'email queued',
  sent: 'email sent',
  failed: 'email failed',
  cancelled: 'email cancelled',
};

/** Under the status: where an invitation stands (its email, its expiry), or that it was revoked. */
function InvitationNote({ invitation }: { invitation: Member['invitation'] }) {
  if (!invitation) return null;
  const text =
    invitation.state === 'pending'
      ? `${invitation.delivery ? capitalize(deliveryText[invitation.delivery]) : 'Invitation pending'} · expires ${formatDateTime(invitation.expiresAt)}`
      : invitation.state === 'expired'
        ? `Invitation expired ${formatDateTime(invitation.expiresAt)}`
        : invitation.state === 'revoked'
          ? 'Invitation revoked'
          : null;
  return text ? (
    <Text size="xs" c={invitation.delivery === 'failed' ? 'red' : 'dimmed'}>
      {text}
    </Text>
  ) : null;
}

function DotsIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
      <circle cx="5" cy="12" r="2" />
      <circle cx="12" cy="12" r="2" />
      <circle cx="19" cy="12" r="2" />
    </svg>
  );
}

interface MembersTableProps {
  members: Member[];
  onAction: (action: MemberRowAction, member: Member) => void;
  changeEmailAvailable?: boolean;
}

export function MembersTable({ members, onAction, changeEmailAvailable = true }: MembersTableProps) {
  return (
    <Table.ScrollContainer minWidth={760} className={stacked.container}>
      <Table aria-label="Members" className={stacked.table} striped highlightOnHover verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Email</Table.Th>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Last sign-in</Table.Th>
            <Table.Th scope="col">MFA</Table.Th>
            <Table.Th scope="col">Trusted devices</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={8}>
                <Text c="dimmed">No members yet.</Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            members.map((m) => {
              const actions = memberRowActions(m, changeEmailAvailable);
              return (
                <Table.Tr key={m.id}>
                  <Table.Td data-label="Email">{m.email}</Table.Td>
                  <Table.Td data-label="Name">
                    {m.status === 'invited' ? <Text c="dimmed">—</Text> : m.displayName}
                  </Table.Td>
                  <Table.Td data-label="Role">{capitalize(m.role)}</Table.Td>
                  <Table.Td data-label="Status">
                    <Stack gap={2}>
                      <Badge variant="light" color={statusColor[m.status] ?? 'gray'}>
                        {capitalize(m.status)}
                      </Badge>
                      <InvitationNote invitation={m.invitation} />
                      {m.status !== 'invited' && (
                        <Text size="xs" c="dimmed">
                          Added <time dateTime={m.createdAt}>{formatDate(m.createdAt)}</time>
                        </Text>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td data-label="Last sign-in">
                    {m.lastSignInAt ? <time dateTime={m.lastSignInAt}>{formatDate(m.lastSignInAt)}</time> : 'Never'}
                    <Text size="xs" c="dimmed">
                      {m.signsInWith === 'identity_provider' ? 'Through the identity provider' : 'With a password'}
                    </Text>
                  </Table.Td>
                  <Table.Td data-label="MFA">
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm">{describeMfa(m.mfa)}</Text>
                      {/* Offered exactly when the server would do it: who acts on whom, and a factor to reset. */}
                      {m.permissions.resetMfa && <ResetMfaButton userId={m.id} name={m.displayName} />}
                    </Group>
                  </Table.Td>
                  <Table.Td data-label="Trusted devices">
                    <Anchor component={Link} to={`/app/members/${encodeURIComponent(m.id)}/devices`} size="sm">
                      Devices
                    </Anchor>
                  </Table.Td>
                  <Table.Td className={stacked.actions}>
                    {actions.length > 0 && (
                      <Menu position="bottom-end" withinPortal shadow="md">
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${m.email}`}>
                            <DotsIcon />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {actions.map((action) => (
                            <Menu.Item
                              key={action}
                              color={dangerous.has(action) ? 'red' : undefined}
                              onClick={() => onAction(action, m)}
                            >
                              {actionLabels[action]}
                            </Menu.Item>
                          ))}
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })
          )}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
