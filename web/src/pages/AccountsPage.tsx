import { Button, Group, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AccountCard } from '../components/accounts/AccountCard';
import { AccountFormModal } from '../components/accounts/AccountFormModal';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { accountKeys, accountsApi } from '../lib/accounts';
import { useMe } from '../lib/me';
import { toastSuccess } from '../lib/toast';

/** Accounts (/app/accounts): every account the user can use, as cards; members add new ones. */
export function AccountsPage() {
  const me = useMe();
  const guest = me.user.role === 'guest';
  const queryClient = useQueryClient();
  const [adding, { open, close }] = useDisclosure(false);
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search.trim(), 250);
  const accounts = useQuery({
    queryKey: accountKeys.list(debouncedSearch),
    queryFn: () => accountsApi.list(debouncedSearch),
    placeholderData: keepPreviousData,
  });

  const list = accounts.data?.accounts ?? [];
  return (
    <Stack maw={1100}>
      <Group justify="space-between" align="center">
        <Title order={1}>Accounts</Title>
        {!guest && <Button onClick={open}>Add account</Button>}
      </Group>
      {accounts.isError ? (
        // mfa-required and the like: the alert says what to do (ProblemAlert links to Turn on MFA).
        <ProblemAlert error={accounts.error} />
      ) : (
        <>
          <TextInput
            label="Search accounts"
            placeholder="Name or app"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.currentTarget.value)}
            maw={360}
          />
          {accounts.isPending ? (
            <Loading />
          ) : list.length === 0 ? (
            <Text c="dimmed">
              {debouncedSearch
                ? `No account matches “${debouncedSearch}”.`
                : guest
                  ? 'No accounts have been shared with you yet.'
                  : 'No accounts yet. Add an account, or ask its owner to share it with you.'}
            </Text>
          ) : (
            <section aria-label="Your accounts">
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
                {list.map((account) => (
                  <AccountCard
                    key={account.id}
                    account={account}
                    hostWorkspace={guest ? me.workspace.name : undefined}
                  />
                ))}
              </SimpleGrid>
            </section>
          )}
        </>
      )}
      {!guest && (
        <AccountFormModal
          opened={adding}
          onClose={close}
          title="Add account"
          submitLabel="Add account"
          submit={accountsApi.create}
          onSaved={(account) => {
            queryClient.setQueryData(accountKeys.detail(account.id), account);
            void queryClient.invalidateQueries({ queryKey: accountKeys.all });
            toastSuccess(`${account.name} added`);
          }}
        />
      )}
    </Stack>
  );
}
