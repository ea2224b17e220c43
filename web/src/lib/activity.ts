// The Activity page's API (SPEC §8): events as this person may see them, by cursor, with filters that
// live in the page's URL, and the CSV export of the same filters.
import { call, client, type paths, type ResponseBody } from '../api';

export type ActivityEntry = ResponseBody<'/api/v1/activity', 'get'>['events'][number];
export type ActivityPageData = ResponseBody<'/api/v1/activity', 'get'>;
type Query = NonNullable<paths['/api/v1/activity']['get']['parameters']['query']>;

export const EVENT_TYPES = [
  { value: 'sign-in', label: 'Sign-in' },
  { value: 'people', label: 'People' },
  { value: 'partners', label: 'Partners' },
  { value: 'accounts', label: 'Accounts' },
  { value: 'secrets', label: 'Secrets' },
  { value: 'devices', label: 'Devices' },
] as const;

/** The filters, as the page's URL holds them (`?from=2026-11-01&to=…&type=sign-in,people&partner=…`). */
export interface ActivityFilters {
  from: string;
  to: string;
  types: string[];
  person: string;
  account: string;
  partner: string;
}

export function filtersFrom(params: URLSearchParams): ActivityFilters {
  return {
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    types: (params.get('type') ?? '').split(',').filter(Boolean),
    person: params.get('person') ?? '',
    account: params.get('account') ?? '',
    partner: params.get('partner') ?? '',
  };
}

export function filtersToParams(filters: ActivityFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.types.length > 0) params.set('type', filters.types.join(','));
  if (filters.person) params.set('person', filters.person);
  if (filters.account) params.set('account', filters.account);
  if (filters.partner) params.set('partner', filters.partner);
  return params;
}

/** Dates (a day, in the browser's time zone) become the API's instants: `to` includes its whole day. */
function apiQuery(filters: ActivityFilters): Omit<Query, 'limit' | 'cursor'> {
  const dayStart = (day: string, plusDays = 0) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y!, m! - 1, d! + plusDays).toISOString();
  };
  return {
    ...(filters.from ? { from: dayStart(filters.from) } : {}),
    ...(filters.to ? { to: dayStart(filters.to, 1) } : {}),
    ...(filters.types.length > 0 ? { type: filters.types.join(',') } : {}),
    ...(filters.person ? { person: filters.person } : {}),
    ...(filters.account ? { account: filters.account } : {}),
    ...(filters.partner ? { partner: filters.partner } : {}),
  };
}

export type ChainState = ResponseBody<'/api/v1/activity/chain', 'get'>;

export const activityApi = {
  /** Whether the log verifies (owner and admins): checks what was added since the last check. */
  chain: () => call(() => client.GET('/api/v1/activity/chain')),
  page: (filters: ActivityFilters, cursor: string | undefined) =>
    call(() =>
      client.GET('/api/v1/activity', {
        params: { query: { ...apiQuery(filters), limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  exportUrl: (filters: ActivityFilters) => {
    const query = new URLSearchParams(apiQuery(filters) as Record<string, string>).toString();
    return `/api/v1/activity/export.csv${query ? `?${query}` : ''}`;
  },
};

export const activityKeys = {
  all: ['activity'] as const,
  list: (filters: ActivityFilters) => ['activity', 'list', filters] as const,
  chain: ['activity', 'chain'] as const,
};
