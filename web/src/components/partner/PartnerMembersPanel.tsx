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
  // The guest whose removal is being confirmed; kept while the dialog closes, so its title stays.
  const [removal, setRemoval] = useState<{ member: PartnerMember; open: boolean } | null>(null);
  const closeRemoval = () => setRemoval((r) => r && { ...r, open: false });

  const change = useMutation({
    mutationFn: (input: Change) => perform(partner.id, input),
    onSuccess: async (message, { action, member }) => {
      closeRemoval();
      toastSuccess(message);
      // A host admin who stepped down (and is no workspace admin) can no longer see the partner.
      if (action === 'removeHost' && member.userId === me.user.id && !isWorkspaceAdmin(me)) {
        queryClient.removeQueries({ queryKey: queryKeys.partner(partner.id) });
        navigate('/app/partners', { replace: true });
      }
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
    },
    onError: closeRemoval,
  });

  const onAction = (action: MemberAction, member: PartnerMember) => {
    if (action === 'details') {
      navigate(`/app/partners/${encodeURIComponent(partner.id)}/members/${encodeURIComponent(member.userId)}`);
      return;
    }
    change.reset();
    if (action === 'remove') setRemoval({ member, open: true });
    else change.mutate({ action, member });
  };

  return (
    <Stack>
      <ProblemAlert error={change.error} />
      <PartnerMembersTable partner={partner} meId={me.user.id} onAction={onAction} busy={change.isPending} />
      <ConfirmModal
        opened={removal?.open ?? false}
        title={removal ? `Remove ${memberName(removal.member)}?` : 'Remove'}
        confirmLabel="Remove"
        danger
        loading={change.isPending}
        onClose={closeRemoval}
        onConfirm={() => removal && change.mutate({ action: 'remove', member: removal.member })}
      >
        <Text size="sm">
          They leave {partner.name} and the workspace: their user is deactivated, they are signed out everywhere, and
          every account they could use through the partner is taken away from them. The partner keeps its own shares.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
