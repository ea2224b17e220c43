import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api';
import { isFirstSignInGate, queryKeys } from './lib/queries';

function isClientError(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

export function createQueryClient(): QueryClient {
  // A lost session, or a first-sign-in step that became due (new terms were published): re-check the
  // session, so the app shell sends the user to /login or shows the step.
  const recheckSession = (error: unknown) => {
    if ((error instanceof ApiError && error.status === 401) || isFirstSignInGate(error)) {
      void client.invalidateQueries({ queryKey: queryKeys.session });
    }
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.queryKey[0] !== queryKeys.session[0]) recheckSession(error);
      },
    }),
    // Mutations only for the gates: a 401 there (sign-in, sign-out) is handled by the page itself.
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isFirstSignInGate(error)) void client.invalidateQueries({ queryKey: queryKeys.session });
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
