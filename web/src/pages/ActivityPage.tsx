import { Stack, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { ActivityTable } from '../components/ActivityTable';
import { AdminOnly } from '../components/AdminOnly';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { queryKeys } from '../lib/queries';

export function ActivityPage() {
  return (
    <Stack maw={1200}>
      <Title order={1}>Activity</Title>
      <AdminOnly>
        <ActivityContent />
      </AdminOnly>
    </Stack>
  );
}

function ActivityContent() {
  const activity = useQuery({ queryKey: queryKeys.activity, queryFn: api.listActivity });
  return (
    <>
      <ProblemAlert error={activity.error} />
      {activity.isPending ? <Loading /> : activity.data && <ActivityTable events={activity.data.events} />}
    </>
  );
}
