import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api';
import { queryKeys } from './lib/queries';

function isClientError(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        // A lost session anywhere: re-check it, so the app shell sends the user to /login.
        const isSession = query.queryKey[0] === queryKeys.session[0];
        if (!isSession && error instanceof ApiError && error.status === 401) {
          void client.invalidateQueries({ queryKey: queryKeys.session });
        }
      },
    }),
    defaultOptions: {
      queries: {
        retry: (failures, error) => !isClientError(error) && failures < 2,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
