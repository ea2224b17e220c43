import { Button, Group, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { AddPartnerModal } from '../components/AddPartnerModal';
import { Loading } from '../components/Loading';
import { PartnersTable } from '../components/PartnersTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { isWorkspaceAdmin, useMe } from '../lib/me';
import { queryKeys } from '../lib/queries';

/** Partners (/app/partners): the local partners you run or belong to; all of them for workspace admins. */
export function PartnersPage() {
  const me = useMe();
  const admin = isWorkspaceAdmin(me);
  const [opened, { open, close }] = useDisclosure(false);
  const partners = useQuery({ queryKey: queryKeys.partners, queryFn: api.listPartners });

  return (
    <Stack maw={1100}>
      <Group justify="space-between" align="center">
        <Title order={1}>Partners</Title>
        {admin && <Button onClick={open}>Add partner</Button>}
      </Group>
      <section aria-labelledby="your-partners">
        <Title order={2} size="h3" id="your-partners" mb="sm">
          Your partners
        </Title>
        <ProblemAlert error={partners.error} />
        {partners.isPending ? (
          <Loading />
        ) : (
          partners.data && (
            <PartnersTable
              partners={partners.data.partners}
              emptyText={
                admin
                  ? 'No partners yet. Add a partner to invite people from another company as guests.'
                  : 'You are not part of any partner yet.'
              }
            />
          )
        )}
      </section>
      {admin && <AddPartnerModal opened={opened} onClose={close} />}
    </Stack>
  );
}
