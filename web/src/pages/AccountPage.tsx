import { Anchor, Badge, Button, CopyButton, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useNavigate, useParams } from 'react-router';
import { AccountFormModal } from '../components/accounts/AccountFormModal';
import { AccountActivityPanel } from '../components/accounts/AccountActivityPanel';
import { AccountUsersPanel } from '../components/accounts/AccountUsersPanel';
import { LogInPanel } from '../components/accounts/LogInPanel';
import { SecretField } from '../components/accounts/SecretField';
import { ShareAccessModal } from '../components/accounts/ShareAccessModal';
import { useIdentityConfirmation } from '../components/ConfirmIdentity';
import { ConfirmModal } from '../components/ConfirmModal';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { accessReviewKeys, accessReviewsApi } from '../lib/accessReviews';
import { accountKeys, accountsApi, itemRoleColor, itemRoleLabel, type AccountDetail } from '../lib/accounts';
import { toastSuccess } from '../lib/toast';
import { MissingDetail, SectionCrumbs } from '../components/DetailPage';

const SECTION = { label: 'Accounts', to: '/app/accounts' };

/** One account (/app/accounts/:accountId): its details, **Log in**, and what the user's role allows. */
export function AccountPage() {
  const { accountId = '' } = useParams();
  const account = useQuery({ queryKey: accountKeys.detail(accountId), queryFn: () => accountsApi.get(accountId) });

  if (account.isPending) return <Loading />;
  if (!account.data) return <MissingDetail section={SECTION} what="Account" error={account.error} maw={900} />;
  return <AccountView account={account.data} />;
}

type Dialog = 'edit' | 'delete' | 'share-access';

function AccountView({ account }: { account: AccountDetail }) {
  const { permissions } = account;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const confirmed = useIdentityConfirmation();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = () => setDialog(null);

  const remove = useMutation({
    mutationFn: () => confirmed(() => accountsApi.remove(account.id), 'Deleting an account'),
    onSuccess: async () => {
      close();
      toastSuccess(`${account.name} deleted`);
      void navigate('/app/accounts');
      queryClient.removeQueries({ queryKey: accountKeys.detail(account.id) });
      await queryClient.invalidateQueries({ queryKey: accountKeys.all });
    },
  });

  // **Review access** (SPEC §8a): starts the account's review, or opens the one already open.
  const review = useMutation({
    mutationFn: () => accessReviewsApi.startForAccount(account.id),
    onSuccess: async (started) => {
      queryClient.setQueryData(accessReviewKeys.review(started.id), started);
      await queryClient.invalidateQueries({ queryKey: accessReviewKeys.ofAccount(account.id) });
      void navigate(`/app/accounts/${account.id}/access-reviews/${started.id}`);
    },
  });

  const details = <AccountDetails account={account} />;

  return (
    <Stack maw={1100}>
      <SectionCrumbs section={SECTION} current={account.name} />
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={1}>{account.name}</Title>
          <Group gap="xs">
            {account.appName && <Text c="dimmed">{account.appName}</Text>}
            <Badge variant="light" color={itemRoleColor[account.role]}>
              {itemRoleLabel[account.role]}
            </Badge>
          </Group>
        </Stack>
        <Group gap="xs">
          {permissions.reviewAccess && (
            <Button variant="default" loading={review.isPending} onClick={() => review.mutate()}>
              Review access
            </Button>
          )}
          {permissions.shareOnward && <Button onClick={() => setDialog('share-access')}>Share Access</Button>}
          {permissions.edit && (
            <Button variant="default" onClick={() => setDialog('edit')}>
              Edit
            </Button>
          )}
          {permissions.delete && (
            <Button variant="default" color="red" onClick={() => setDialog('delete')}>
              Delete
            </Button>
          )}
        </Group>
      </Group>

      <ProblemAlert error={review.error} />
      <LogInPanel account={account} />

      {permissions.manageAccess || permissions.viewActivity ? (
        <Tabs defaultValue="details" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="details">Details</Tabs.Tab>
            {permissions.manageAccess && <Tabs.Tab value="users">Users</Tabs.Tab>}
            {permissions.viewActivity && <Tabs.Tab value="activity">Activity</Tabs.Tab>}
          </Tabs.List>
          <Tabs.Panel value="details" pt="md">
            {details}
          </Tabs.Panel>
          {permissions.manageAccess && (
            <Tabs.Panel value="users" pt="md">
              <AccountUsersPanel account={account} />
            </Tabs.Panel>
          )}
          {permissions.viewActivity && (
            <Tabs.Panel value="activity" pt="md">
              <AccountActivityPanel accountId={account.id} />
            </Tabs.Panel>
          )}
        </Tabs>
      ) : (
        details
      )}

      {permissions.edit && (
        <AccountFormModal
          key={account.updatedAt}
          opened={dialog === 'edit'}
          onClose={close}
          title="Edit account"
          submitLabel="Save changes"
          account={account}
          submit={(input) => confirmed(() => accountsApi.update(account.id, input), 'Editing an account')}
          onSaved={(saved) => {
            queryClient.setQueryData(accountKeys.detail(saved.id), saved);
            void queryClient.invalidateQueries({ queryKey: ['accounts', 'list'] });
            toastSuccess('Changes saved');
          }}
        />
      )}
      {permissions.delete && (
        <ConfirmModal
          opened={dialog === 'delete'}
          title="Delete account?"
          confirmLabel="Delete"
          danger
          loading={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate()}
          onClose={() => {
            close();
            remove.reset();
          }}
        >
          <Text size="sm">
            {account.name} and its secrets are deleted, and everyone it is shared with loses it at once.
          </Text>
        </ConfirmModal>
      )}
      {permissions.shareOnward && (
        <ShareAccessModal opened={dialog === 'share-access'} onClose={close} account={account} />
      )}
    </Stack>
  );
}

function DetailRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group align="flex-start" gap="md" wrap="nowrap">
      <Text component="dt" fw={500} w={140} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text component="dd" m={0} style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
        {children}
      </Text>
    </Group>
  );
}

/** What every role may see; the password and TOTP secret rows only for owners, who may reveal them. */
function AccountDetails({ account }: { account: AccountDetail }) {
  const none = (
    <Text span c="dimmed">
      —
    </Text>
  );
  return (
    <section aria-label="Account details">
      <Stack component="dl" gap="sm" m={0}>
        <DetailRow label="App">{account.appName || none}</DetailRow>
        <DetailRow label="Login URL">
          {account.loginUrl ? (
            <Anchor href={account.loginUrl} target="_blank" rel="noopener noreferrer">
              {account.loginUrl}
            </Anchor>
          ) : (
            none
          )}
        </DetailRow>
        <DetailRow label="Username">
          {account.username ? (
            <Group gap="xs" wrap="nowrap">
              <Text span style={{ overflowWrap: 'anywhere' }}>
                {account.username}
              </Text>
              <CopyButton value={account.username}>
                {({ copied, copy }) => (
                  <Button
                    size="compact-xs"
                    variant="light"
                    onClick={copy}
                    aria-label={copied ? 'Copied username' : 'Copy username'}
                  >
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          ) : (
            none
          )}
        </DetailRow>
        {account.permissions.reveal && (
          <>
            <DetailRow label="Password">
              {account.hasPassword ? <SecretField accountId={account.id} field="password" /> : none}
            </DetailRow>
            <DetailRow label="TOTP secret">
              {account.hasTotp ? <SecretField accountId={account.id} field="totpSecret" /> : none}
            </DetailRow>
          </>
        )}
        <DetailRow label="Notes">{account.notes ?? none}</DetailRow>
        <DetailRow label="Your role">{itemRoleLabel[account.role]}</DetailRow>
      </Stack>
    </section>
  );
}
