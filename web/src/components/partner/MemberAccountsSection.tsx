import { Badge, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { itemRoleColor, itemRoleLabel } from '../../lib/accounts';
import { partnerAccountKeys, partnerAccountsApi } from '../../lib/partnerAccounts';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';

/** **View details**: the accounts a member of the partner can use, with their role on each. */
export function MemberAccountsSection({ partnerId, userId }: { partnerId: string; userId: string }) {
  const accounts = useQuery({
    queryKey: partnerAccountKeys.ofMember(partnerId, userId),
    queryFn: () => partnerAccountsApi.ofMember(partnerId, userId),
  });

  return (
    <section aria-labelledby="member-accounts">
      <Title order={2} size="h3" id="member-accounts" mb="sm">
        Accounts they can use
      </Title>
      {accounts.isPending ? (
        <Loading />
      ) : !accounts.data ? (
        <ProblemAlert error={accounts.error} />
      ) : accounts.data.accounts.length === 0 ? (
        <Text c="dimmed">No accounts have been shared with them yet.</Text>
      ) : (
        <Table aria-label="Accounts they can use" striped verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Account</Table.Th>
              <Table.Th scope="col">App</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {accounts.data.accounts.map((account) => (
              <Table.Tr key={account.id}>
                <Table.Td>{account.name}</Table.Td>
                <Table.Td>{account.appName}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={itemRoleColor[account.role]}>
                    {itemRoleLabel[account.role]}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}
