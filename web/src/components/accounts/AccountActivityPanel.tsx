import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { accountKeys, accountsApi } from '../../lib/accounts';
import { filtersToParams, type ActivityFilters } from '../../lib/activity';
import { ActivityFeed } from '../activity/ActivityFeed';
import { Loading } from '../Loading';
import { ProblemAlert } from '../ProblemAlert';

/**
 * The account's **Activity** tab (SPEC §8), for its owners and workspace admins: what was done to and
 * with it, in sentences, grouped by day, newest first; each password and TOTP code names its device.
 */
export function AccountActivityPanel({ accountId }: { accountId: string }) {
  const events = useInfiniteQuery({
    queryKey: accountKeys.activity(accountId),
    queryFn: ({ pageParam }) => accountsApi.activity(accountId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const loaded = events.data?.pages.flatMap((page) => page.events) ?? [];
  if (events.isPending) return <Loading />;
  const filters: ActivityFilters = { from: '', to: '', types: [], person: '', account: accountId, partner: '' };
  return (
    <Stack>
      <ProblemAlert error={events.error} />
      <Text size="sm">
        <Anchor component={Link} to={`/app/activity?${filtersToParams(filters).toString()}`}>
          Filter and export this account&apos;s activity
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
