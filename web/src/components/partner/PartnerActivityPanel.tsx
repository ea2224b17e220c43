import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { PartnerDetail } from '../../api';
import { activityApi, activityKeys, filtersToParams, type ActivityFilters } from '../../lib/activity';
import { ActivityFeed } from '../activity/ActivityFeed';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';

/** A partner's **Activity** tab (SPEC §8): what happened about it, its guests and its accounts. */
export function PartnerActivityPanel({ partner }: { partner: PartnerDetail }) {
  const filters: ActivityFilters = { from: '', to: '', types: [], person: '', account: '', partner: partner.id };
  const events = useInfiniteQuery({
    queryKey: activityKeys.list(filters),
    queryFn: ({ pageParam }) => activityApi.page(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const loaded = events.data?.pages.flatMap((page) => page.events) ?? [];
  if (events.isPending) return <Loading />;
  return (
    <Stack>
      <ProblemAlert error={events.error} />
      <Text size="sm">
        <Anchor component={Link} to={`/app/activity?${filtersToParams(filters).toString()}`}>
          Filter and export this partner&apos;s activity
        </Anchor>
      </Text>
      {loaded.length === 0 ? <Text c="dimmed">No activity yet.</Text> : <ActivityFeed events={loaded} />}
      {events.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void events.fetchNextPage()}
          loading={events.isFetchingNextPage}
          style={{ alignSelf: 'center' }}
        >
          Show older events
        </Button>
      )}
    </Stack>
  );
}
