import { Alert, Button, Group, MultiSelect, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api';
import { ActivityFeed } from '../components/activity/ActivityFeed';
import { useMe } from '../components/AppLayout';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { accountKeys, accountsApi } from '../lib/accounts';
import {
  activityApi,
  activityKeys,
  EVENT_TYPES,
  filtersFrom,
  filtersToParams,
  type ActivityFilters,
  type ChainState,
} from '../lib/activity';
import { queryKeys } from '../lib/queries';

/**
 * **Activity** (SPEC §8): what this person may see of the log — everything for workspace admins; their
 * own events, their accounts and their partners for members; **My activity** for guests — in sentences
 * grouped by day, filtered by what the URL holds, older events by cursor, and **Export CSV**.
 */
export function ActivityPage() {
  const me = useMe();
  const isGuest = me.user.role === 'guest';
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const update = (change: Partial<ActivityFilters>) =>
    setParams(filtersToParams({ ...filters, ...change }), { replace: true });

  const events = useInfiniteQuery({
    queryKey: activityKeys.list(filters),
    queryFn: ({ pageParam }) => activityApi.page(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const isAdmin = me.user.role === 'owner' || me.user.role === 'admin';
  const chain = useQuery({ queryKey: activityKeys.chain, queryFn: activityApi.chain, enabled: isAdmin });
  const partners = useQuery({ queryKey: queryKeys.partners, queryFn: api.listPartners, enabled: !isGuest });
  const accounts = useQuery({ queryKey: accountKeys.list(''), queryFn: () => accountsApi.list(''), enabled: !isGuest });
  const loaded = events.data?.pages.flatMap((page) => page.events) ?? [];
  const people = new Map<string, string>();
  for (const event of loaded) if (event.actorId && event.actorName) people.set(event.actorId, event.actorName);
  const filtered = Object.values(filters).some((value) => (Array.isArray(value) ? value.length > 0 : value !== ''));

  return (
    <Stack maw={1000}>
      <Group justify="space-between" align="flex-end">
        <Title order={1}>{isGuest ? 'My activity' : 'Activity'}</Title>
        <Button component="a" href={activityApi.exportUrl(filters)} download variant="default">
          Export CSV
        </Button>
      </Group>
      {chain.data && <ChainStatus state={chain.data} />}
      {!isGuest && (
        <Group align="flex-end" gap="sm" wrap="wrap" role="search" aria-label="Filter the activity">
          <TextInput
            type="date"
            label="From"
            value={filters.from}
            onChange={(e) => update({ from: e.currentTarget.value })}
            w={160}
          />
          <TextInput
            type="date"
            label="To"
            value={filters.to}
            onChange={(e) => update({ to: e.currentTarget.value })}
            w={160}
          />
          <MultiSelect
            label="Event type"
            placeholder={filters.types.length ? undefined : 'All'}
            data={EVENT_TYPES.map((t) => ({ value: t.value, label: t.label }))}
            value={filters.types}
            onChange={(types) => update({ types })}
            clearable
            w={220}
          />
          <Select
            label="Partner"
            placeholder="All"
            data={(partners.data?.partners ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={filters.partner || null}
            onChange={(partner) => update({ partner: partner ?? '' })}
            clearable
            searchable
            w={200}
          />
          <Select
            label="Account"
            placeholder="All"
            data={(accounts.data?.accounts ?? []).map((a) => ({ value: a.id, label: a.name }))}
            value={filters.account || null}
            onChange={(account) => update({ account: account ?? '' })}
            clearable
            searchable
            w={220}
          />
          <Select
            label="Person"
            placeholder="Anyone"
            data={[...people].map(([value, label]) => ({ value, label }))}
            value={filters.person || null}
            onChange={(person) => update({ person: person ?? '' })}
            clearable
            searchable
            w={200}
          />
          {filtered && (
            <Button variant="subtle" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filters
            </Button>
          )}
        </Group>
      )}
      <ProblemAlert error={events.error} />
      {events.isPending ? (
        <Loading />
      ) : (
        <>
          {loaded.length === 0 ? (
            <Text c="dimmed">{filtered ? 'No events match these filters.' : 'No activity yet.'}</Text>
          ) : (
            <ActivityFeed events={loaded} />
          )}
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
        </>
      )}
    </Stack>
  );
}

/** The tamper check (SPEC §8): whether the log verifies, as far as it was checked. */
function ChainStatus({ state }: { state: ChainState }) {
  if (!state.verifies) {
    return (
      <Alert color="red" title="The activity log does not verify" role="alert">
        {state.problem?.message} Someone with access to the database may have changed the log: keep this page, and run{' '}
        <code>gatehouse activity verify</code> on the server.
      </Alert>
    );
  }
  return (
    <Text size="sm" c="dimmed" role="status">
      Tamper check: the log verifies
      {state.verifiedThrough ? ` through event ${Number(state.verifiedThrough).toLocaleString()}` : ''}
      {state.pending > 0 ? `, and ${state.pending} newer event(s) by their signature` : ''}.
    </Text>
  );
}
