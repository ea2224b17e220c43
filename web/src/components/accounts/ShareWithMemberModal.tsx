import { Button, Group, Modal, Select, Stack } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { accountsApi, type AccountDetail, type MemberItemRole } from '../../lib/accounts';
import { useMe } from '../../lib/me';
import { useWorkspaceMembers } from '../../lib/queries';
import { toastSuccess } from '../../lib/toast';
import { useIdentityConfirmation } from '../ConfirmIdentity';
import { ProblemAlert } from '../ProblemAlert';
import { AccessEndInput } from '../AccessEndInput';
import { endOfChosenDay } from '../../lib/accessEnds';
import { fieldMessages } from '../../lib/problems';

interface ShareWithMemberModalProps {
  opened: boolean;
  onClose: () => void;
  account: AccountDetail;
  /** Members who already have their own share of the account. */
  alreadyShared: Set<string>;
  onShared: () => void;
}

/** An owner shares the account with a workspace member, as **Owner** or **Collaborator**. */
export function ShareWithMemberModal({ opened, onClose, account, alreadyShared, onShared }: ShareWithMemberModalProps) {
  const me = useMe();
  const confirmed = useIdentityConfirmation();
  // GET /members is open to every member (not to guests); an owner of an account is always a member.
  const members = useWorkspaceMembers(opened);
  const [userId, setUserId] = useState<string | null>(null);
  const [role, setRole] = useState<MemberItemRole>('collaborator');
  const [lastDay, setLastDay] = useState('');

  const options = (members.data?.members ?? [])
    .filter((m) => m.status === 'active' && m.id !== me.user.id && !alreadyShared.has(m.id))
    .map((m) => ({ value: m.id, label: `${m.displayName} (${m.email})` }));

  const share = useMutation({
    mutationFn: (input: { userId: string; role: MemberItemRole }) =>
      confirmed(
        () => accountsApi.shareWithMember(account.id, input.userId, input.role, endOfChosenDay(lastDay)),
        'Sharing an account',
      ),
    onSuccess: () => {
      const chosen = options.find((o) => o.value === userId)?.label ?? 'The member';
      toastSuccess(`${account.name} shared with ${chosen}`);
      close();
      onShared();
    },
  });

  function close() {
    setUserId(null);
    setRole('collaborator');
    setLastDay('');
    share.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title="Share with a member" centered>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (userId) share.mutate({ userId, role });
        }}
      >
        <Stack>
          <ProblemAlert error={share.error ?? members.error} />
          <Select
            label="Member"
            placeholder={options.length ? 'Choose a member' : 'Every member already has access'}
            data={options}
            value={userId}
            onChange={setUserId}
            searchable
            nothingFoundMessage="No member matches"
          />
          <Select
            label="Role"
            data={[
              { value: 'collaborator', label: 'Collaborator' },
              { value: 'owner', label: 'Owner' },
            ]}
            value={role}
            onChange={(value) => value && setRole(value as MemberItemRole)}
            allowDeselect={false}
          />
          <AccessEndInput
            label="Access until"
            value={lastDay}
            onChange={setLastDay}
            error={fieldMessages(share.error, 'accessUntil')[0]}
          />
          <Group mt="xs">
            <Button type="submit" disabled={!userId} loading={share.isPending}>
              Share
            </Button>
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
