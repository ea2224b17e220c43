import { Button, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type PartnerDetail } from '../api';
import { ConfirmModal } from '../components/ConfirmModal';
import { Loading } from '../components/Loading';
import { AssignHostModal } from '../components/partner/AssignHostModal';
import { PartnerAccountsPanel } from '../components/partner/PartnerAccountsPanel';
import { PartnerActivityPanel } from '../components/partner/PartnerActivityPanel';
import { useMe } from '../components/AppLayout';
import { InviteGuestModal } from '../components/partner/InviteGuestModal';
import { PartnerMembersPanel } from '../components/partner/PartnerMembersPanel';
import { RenamePartnerModal } from '../components/partner/RenamePartnerModal';
import { partnerRoleLabel } from '../lib/partners';
import { queryKeys, usePartner } from '../lib/queries';
import { toastSuccess } from '../lib/toast';
import { useIdentityConfirmation } from '../components/ConfirmIdentity';
import { MissingDetail, SectionCrumbs } from '../components/DetailPage';

const SECTION = { label: 'Partners', to: '/app/partners' };

/** A local partner (/app/partners/:partnerId): its members and the accounts shared with it. */
export function PartnerPage() {
  const { partnerId = '' } = useParams();
  const partner = usePartner(partnerId);

  if (partner.isPending) return <Loading />;
  if (!partner.data) return <MissingDetail section={SECTION} what="Partner" error={partner.error} maw={1200} />;
  return <PartnerView partner={partner.data} />;
}

type Dialog = 'invite' | 'assign' | 'rename' | 'remove';

function PartnerView({ partner }: { partner: PartnerDetail }) {
  const { permissions } = partner;
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);
  const isGuest = useMe().user.role === 'guest';

  return (
    <Stack maw={1200}>
      <SectionCrumbs section={SECTION} current={partner.name} />
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1}>{partner.name}</Title>
          {partner.myRole && (
            <Text c="dimmed" size="sm">
              You are a {partnerRoleLabel[partner.myRole].toLowerCase()} of this partner.
            </Text>
          )}
        </div>
        <Group gap="xs">
          {permissions.inviteGuests && <Button onClick={() => setDialog('invite')}>Invite guest users</Button>}
          {/* Host admins and workspace admins review; the server refuses anyone else. */}
          {!isGuest && (
            <Button variant="default" component={Link} to={`/app/partners/${partner.id}/access-reviews`}>
              Review access
            </Button>
          )}
          {permissions.manageHostAdmins && (
            <Button variant="default" onClick={() => setDialog('assign')}>
              Assign partnership host
            </Button>
          )}
          {permissions.rename && (
            <Button variant="default" onClick={() => setDialog('rename')}>
              Rename
            </Button>
          )}
          {permissions.remove && (
            <Button variant="outline" color="red" onClick={() => setDialog('remove')}>
              Remove partner
            </Button>
          )}
        </Group>
      </Group>

      <Tabs defaultValue="members" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="members">Members</Tabs.Tab>
          <Tabs.Tab value="accounts">Accounts</Tabs.Tab>
          {!isGuest && <Tabs.Tab value="activity">Activity</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="members" pt="md">
          <PartnerMembersPanel partner={partner} />
        </Tabs.Panel>
        <Tabs.Panel value="accounts" pt="md">
          <PartnerAccountsPanel partner={partner} />
        </Tabs.Panel>
        {!isGuest && (
          <Tabs.Panel value="activity" pt="md">
            <PartnerActivityPanel partner={partner} />
          </Tabs.Panel>
        )}
      </Tabs>

      {permissions.inviteGuests && <InviteGuestModal partner={partner} opened={dialog === 'invite'} onClose={close} />}
      {permissions.manageHostAdmins && (
        <AssignHostModal partner={partner} opened={dialog === 'assign'} onClose={close} />
      )}
      {permissions.rename && (
        <RenamePartnerModal key={partner.name} partner={partner} opened={dialog === 'rename'} onClose={close} />
      )}
      {permissions.remove && <RemovePartnerModal partner={partner} opened={dialog === 'remove'} onClose={close} />}
    </Stack>
  );
}

function RemovePartnerModal({
  partner,
  opened,
  onClose,
}: {
  partner: PartnerDetail;
  opened: boolean;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const confirmed = useIdentityConfirmation();
  const remove = useMutation({
    // Removing a partner needs a recent identity confirmation; the dialog asks for one when due.
    mutationFn: () => confirmed(() => api.removePartner(partner.id), 'Removing a partner'),
    onSuccess: async () => {
      toastSuccess('Partner removed');
      navigate('/app/partners', { replace: true });
      queryClient.removeQueries({ queryKey: queryKeys.partner(partner.id) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
    },
  });
  const close = () => {
    remove.reset();
    onClose();
  };

  return (
    <ConfirmModal
      opened={opened}
      title={`Remove ${partner.name}?`}
      confirmLabel="Remove partner"
      danger
      loading={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate()}
      onClose={close}
    >
      <Text size="sm">
        Every guest of {partner.name} is deactivated and signed out, and every account shared with the partner stops
        being shared with them. Host admins keep their own accounts. This cannot be undone.
      </Text>
    </ConfirmModal>
  );
}
