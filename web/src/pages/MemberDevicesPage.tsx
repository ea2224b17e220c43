import { Anchor, Breadcrumbs, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api';
import { AdminOnly } from '../components/AdminOnly';
import { UserDevicesSection } from '../components/UserDevicesSection';
import { queryKeys } from '../lib/queries';

/** A workspace member's trusted devices (/app/members/:userId/devices), for the owner and admins. */
export function MemberDevicesPage() {
  const { userId = '' } = useParams();
  const members = useQuery({ queryKey: queryKeys.members, queryFn: api.listMembers });
  const member = members.data?.members.find((m) => m.id === userId);
  const name = member?.displayName ?? 'Member';
  return (
    <Stack maw={1100}>
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor component={Link} to="/app/members" size="sm">
          Members
        </Anchor>
        <Text size="sm" c="dimmed" aria-current="page">
          {name}
        </Text>
      </Breadcrumbs>
      <Title order={1}>{member ? `${member.displayName}'s devices` : 'Devices'}</Title>
      {member && <Text c="dimmed">{member.email}</Text>}
      <AdminOnly>
        <UserDevicesSection userId={userId} name={name} />
      </AdminOnly>
    </Stack>
  );
}
