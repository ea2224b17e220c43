import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { accountsApi, type AccountDetail } from '../../lib/accounts';
import { memberName } from '../../lib/partners';
import { queryKeys } from '../../lib/queries';
import { toastSuccess } from '../../lib/toast';
import { useIdentityConfirmation } from '../ConfirmIdentity';
import { ConfirmModal } from '../ConfirmModal';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';
import { AccessEndInput } from '../AccessEndInput';
import { endOfChosenDay, lastDayText } from '../../lib/accessEnds';

interface ShareAccessModalProps {
  opened: boolean;
  onClose: () => void;
  account: AccountDetail;
}

/**
 * **Share Access** (managers): pass the account on to a guest user of the manager's own partner, as
 * collaborator, after **Is it ok to share this account?** and an identity confirmation.
 */
export function ShareAccessModal({ opened, onClose, account }: ShareAccessModalProps) {
  const confirmed = useIdentityConfirmation();
  const [userId, setUserId] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [lastDay, setLastDay] = useState('');

  const partners = useQuery({ queryKey: queryKeys.partners, queryFn: api.listPartners, enabled: opened });
  // A manager is a guest admin: the partner they administer is the one the account came through.
  const partnerId = partners.data?.partners.find((p) => p.myRole === 'guest_admin')?.id ?? null;
  const partner = useQuery({
    queryKey: queryKeys.partner(partnerId ?? ''),
    queryFn: () => api.getPartner(partnerId!),
    enabled: opened && partnerId !== null,
  });
  const options = (partner.data?.members ?? [])
    .filter((m) => m.partnerRole === 'guest_user' && m.status === 'active')
    .map((m) => ({ value: m.userId, label: memberName(m) === m.email ? m.email : `${memberName(m)} (${m.email})` }));
  const chosen = options.find((o) => o.value === userId)?.label ?? '';

  const share = useMutation({
    mutationFn: (guestUserId: string) =>
      confirmed(() => accountsApi.shareOnward(account.id, guestUserId, endOfChosenDay(lastDay)), 'Sharing an account'),
    onSuccess: () => {
      toastSuccess(`${account.name} shared with ${chosen}`);
      close();
    },
  });

  function close() {
    setUserId(null);
    setAsking(false);
    setLastDay('');
    share.reset();
    onClose();
  }

  const loading = opened && (partners.isPending || (partnerId !== null && partner.isPending));

  return (
    <>
      <Modal opened={opened && !asking} onClose={close} title="Share Access" centered>
        <form
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            if (userId) setAsking(true);
          }}
        >
          <Stack>
            <Text size="sm">
              Guest users of your partner can use {account.name} as collaborators: they get its TOTP code, never its
              password.
            </Text>
            <ProblemAlert error={partners.error ?? partner.error} />
            {loading ? (
              <Loading />
            ) : (
              <Select
                label="Guest user"
                placeholder={options.length ? 'Choose a guest user' : 'Your partner has no active guest users'}
                data={options}
                value={userId}
                onChange={setUserId}
                searchable
                nothingFoundMessage="No guest user matches"
              />
            )}
            <AccessEndInput label="Access until" value={lastDay} onChange={setLastDay} />
            <Group mt="xs">
              <Button type="submit" disabled={!userId}>
                Share Access
              </Button>
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <ConfirmModal
        opened={opened && asking}
        title="Is it ok to share this account?"
        confirmLabel="Share"
        loading={share.isPending}
        error={share.error}
        onConfirm={() => userId && share.mutate(userId)}
        onClose={() => {
          setAsking(false);
          share.reset();
        }}
      >
        <Text size="sm">
          {chosen} will be able to use {account.name} as a collaborator
          {lastDay ? ` until the end of ${lastDayText(endOfChosenDay(lastDay)!)}` : ''}.
        </Text>
      </ConfirmModal>
    </>
  );
}
