import { Button, Group, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { AddMemberModal } from '../components/AddMemberModal';
import { AdminOnly } from '../components/AdminOnly';
import { Loading } from '../components/Loading';
import { MembersTable } from '../components/MembersTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { queryKeys } from '../lib/queries';

export function MembersPage() {
  return (
    <Stack maw={1100}>
      <Title order={1}>Members</Title>
      <AdminOnly>
        <MembersContent />
      </AdminOnly>
    </Stack>
  );
}

function MembersContent() {
  const [opened, { open, close }] = useDisclosure(false);
  const members = useQuery({ queryKey: queryKeys.members, queryFn: api.listMembers });

  return (
    <Stack>
      <Group justify="flex-end">
        <Button onClick={open}>Add member</Button>
      </Group>
      <ProblemAlert error={members.error} />
      {members.isPending ? <Loading /> : members.data && <MembersTable members={members.data.members} />}
      <AddMemberModal opened={opened} onClose={close} />
    </Stack>
  );
}
