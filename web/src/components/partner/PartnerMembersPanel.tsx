import { Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, type PartnerDetail, type PartnerMember } from '../../api';
import { isWorkspaceAdmin, useMe } from '../../lib/me';
import { memberName, type MemberAction } from '../../lib/partners';
import { queryKeys } from '../../lib/queries';
import { toastSuccess } from '../../lib/toast';
import { ConfirmModal } from '../ConfirmModal';
import { ProblemAlert } from '../ProblemAlert';
import { PartnerMembersTable } from './PartnerMembersTable';

type ChangeAction = Exclude<MemberAction, 'details'>;
/** The actions that ask first, as other destructive actions do. */
type ConfirmedAction = Extract<ChangeAction, 'remove' | 'revoke' | 'resend'>;

const confirmLabels: Record<ConfirmedAction, string> = {
  remove: 'Remove',
  revoke: 'Revoke',
  resend: 'Resend invitation',
};

function confirmTitle({ action, member }: { action: ConfirmedAction; member: PartnerMember }): string {
  if (action === 'remove') return `Remove ${memberName(member)}?`;
  if (action === 'revoke') return `Revoke the invitation to ${member.email}?`;
  return `Resend the invitation to ${member.email}?`;
}

interface Change {
  action: ChangeAction;
  member: PartnerMember;
}

async function perform(partnerId: string, { action, member }: Change): Promise<string> {
  const name = memberName(member);
  switch (action) {
    case 'resend':
      await api.resendInvitation(invitationId(member));
      return `Invitation resent to ${member.email}`;
    case 'revoke':
      await api.revokeInvitation(invitationId(member));
      return `Invitation to ${member.email} revoked`;
    case 'makeAdmin':
      await api.changeGuestRole(partnerId, member.userId, 'guest_admin');
      return `${name} is now a guest admin`;
    case 'makeUser':
      await api.changeGuestRole(partnerId, member.userId, 'guest_user');
      return `${name} is now a guest user`;
    case 'remove':
      await api.removeGuest(partnerId, member.userId);
      return `${name} was removed`;
    case 'removeHost':
      await api.removeHostAdmin(partnerId, member.userId);
      return `${name} is no longer a partnership host`;
  }
}

function invitationId(member: PartnerMember): string {
  if (!member.invitation) throw new Error(`${member.email} has no invitation.`);
  return member.invitation.id;
}

/** The Members tab: the table, each row's actions, and the outcome of the last one. */
export function PartnerMembersPanel({ partner }: { partner: PartnerDetail }) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // The action being confirmed (Remove, Revoke, Resend invitation); kept while the dialog closes, so its title stays.
  const [confirming, setConfirming] = useState<(Change & { action: ConfirmedAction; open: boolean }) | null>(null);
  const closeConfirming = () => setConfirming((c) => c && { ...c, open: false });

  const change = useMutation({
    mutationFn: (input: Change) => perform(partner.id, input),
    onSuccess: async (message, { action, member }) => {
      closeConfirming();
      toastSuccess(message);
      // A host admin who stepped down (and is no workspace admin) can no longer see the partner.
      if (action === 'removeHost' && member.userId === me.user.id && !isWorkspaceAdmin(me)) {
        queryClient.removeQueries({ queryKey: queryKeys.partner(partner.id) });
        navigate('/app/partners', { replace: true });
      }
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
    },
    onError: closeConfirming,
  });

  const onAction = (action: MemberAction, member: PartnerMember) => {
    if (action === 'details') {
      navigate(`/app/partners/${encodeURIComponent(partner.id)}/members/${encodeURIComponent(member.userId)}`);
      return;
    }
    change.reset();
    if (action === 'remove' || action === 'revoke' || action === 'resend')
      setConfirming({ action, member, open: true });
    else change.mutate({ action, member });
  };

  return (
    <Stack>
      <ProblemAlert error={change.error} />
      <PartnerMembersTable partner={partner} meId={me.user.id} onAction={onAction} busy={change.isPending} />
      {confirming && (
        <ConfirmModal
          opened={confirming.open}
          title={confirmTitle(confirming)}
          confirmLabel={confirmLabels[confirming.action]}
          danger={confirming.action !== 'resend'}
          loading={change.isPending}
          onClose={closeConfirming}
          onConfirm={() => change.mutate({ action: confirming.action, member: confirming.member })}
        >
          <Text size="sm">
            {confirming.action === 'remove'
              ? `They leave ${partner.name} and the workspace: their user is deactivated, they are signed out everywhere, and every account they could use through the partner is taken away from them. The partner keeps its own shares.`
              : confirming.action === 'revoke'
                ? 'The sign-in details in their email stop working. You can invite them again later.'
                : `A new email goes to ${confirming.member.email} with a new temporary password; the one in the earlier email stops working.`}
          </Text>
        </ConfirmModal>
      )}
    </Stack>
  );
}
