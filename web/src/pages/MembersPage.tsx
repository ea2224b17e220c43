import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Member } from '../api';
import { AdminOnly } from '../components/AdminOnly';
import { ChangeMemberEmailModal } from '../components/ChangeMemberEmailModal';
import { ConfirmModal } from '../components/ConfirmModal';
import { InviteMemberModal } from '../components/InviteMemberModal';
import { Loading } from '../components/Loading';
import { ChangeRoleModal } from '../components/members/ChangeRoleModal';
import { DeactivateMemberModal } from '../components/members/DeactivateMemberModal';
import { MembersTable, type MemberRowAction } from '../components/MembersTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { useMe } from '../lib/me';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';

export function MembersPage() {
  return (
    <Stack maw={1200}>
      <Title order={1}>Members</Title>
      <AdminOnly>
        <MembersContent />
      </AdminOnly>
    </Stack>
  );
}

/** The row action being carried out, and on whom. */
interface Chosen {
  action: MemberRowAction;
  member: Member;
}

function MembersContent() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [inviting, { open: openInvite, close: closeInvite }] = useDisclosure(false);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const members = useQuery({ queryKey: queryKeys.members, queryFn: api.listMembers });
  const close = () => setChosen(null);

  const simple = useMutation({
    mutationFn: async ({ action, member }: Chosen) => {
      if (action === 'resend') await api.resendMemberInvitation(member.id);
      if (action === 'revoke') await api.revokeMemberInvitation(member.id);
      if (action === 'reactivate') await api.reactivateMember(member.id);
    },
    onSuccess: async (_, { action, member }) => {
      const messages: Partial<Record<MemberRowAction, string>> = {
        resend: `Invitation resent to ${member.email}`,
        revoke: `Invitation to ${member.email} revoked`,
        reactivate: `${member.displayName} can sign in again`,
      };
      toastSuccess(messages[action] ?? 'Done');
      close();
      await queryClient.invalidateQueries({ queryKey: queryKeys.members });
    },
  });

  const onAction = (action: MemberRowAction, member: Member) => {
    simple.reset();
    setChosen({ action, member });
  };
  const on = (action: MemberRowAction) => (chosen?.action === action ? chosen.member : null);

  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Invite people by email: they choose their own password when they join.
        </Text>
        <Button onClick={openInvite}>Invite member</Button>
      </Group>
      <ProblemAlert error={members.error ?? (chosen ? null : simple.error)} />
      {members.isPending ? (
        <Loading />
      ) : (
        members.data && <MembersTable members={members.data.members} onAction={onAction} />
      )}
      <InviteMemberModal opened={inviting} onClose={closeInvite} mayInviteAdmins={me.user.role === 'owner'} />
      <ChangeRoleModal member={on('changeRole')} onClose={close} />
      <ChangeMemberEmailModal member={on('changeEmail')} onClose={close} />
      <DeactivateMemberModal member={on('deactivate')} members={members.data?.members ?? []} onClose={close} />
      <ConfirmModal
        opened={chosen?.action === 'revoke'}
        title={`Revoke the invitation to ${chosen?.member.email ?? ''}?`}
        confirmLabel="Revoke"
        danger
        loading={simple.isPending}
        error={simple.error}
        onConfirm={() => chosen && simple.mutate(chosen)}
        onClose={close}
      >
        <Text size="sm">The link in their email stops working. You can invite them again later.</Text>
      </ConfirmModal>
      <ConfirmModal
        opened={chosen?.action === 'resend'}
        title={`Resend the invitation to ${chosen?.member.email ?? ''}?`}
        confirmLabel="Resend invitation"
        loading={simple.isPending}
        error={simple.error}
        onConfirm={() => chosen && simple.mutate(chosen)}
        onClose={close}
      >
        <Text size="sm">A new email goes to them with a new link; the link in the earlier email stops working.</Text>
      </ConfirmModal>
      <ConfirmModal
        opened={chosen?.action === 'reactivate'}
        title={`Reactivate ${chosen?.member.displayName ?? ''}?`}
        confirmLabel="Reactivate"
        loading={simple.isPending}
        error={simple.error}
        onConfirm={() => chosen && simple.mutate(chosen)}
        onClose={close}
      >
        <Text size="sm">
          They can sign in again. Nothing else comes back: share accounts and partners with them again as needed.
        </Text>
      </ConfirmModal>
    </Stack>
  );
}
