import { call, client, type ResponseBody } from '../api';

/** One of the signed-in person's live sessions: a browser, or a connected client app. */
export type OwnSession = ResponseBody<'/api/v1/sessions', 'get'>['sessions'][number];

export const sessionsApi = {
  list: () => call(() => client.GET('/api/v1/sessions')),
  end: (sessionId: string) =>
    call(() => client.DELETE('/api/v1/sessions/{sessionId}', { params: { path: { sessionId } } })),
  endOthers: () => call(() => client.POST('/api/v1/sessions/sign-out-others')),
};

export const sessionsQueryKey = ['sessions', 'mine'] as const;
