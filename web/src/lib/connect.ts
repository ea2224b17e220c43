import { call, client, type ResponseBody } from '../api';

/** A client app's request to connect (SPEC §7a), as /app/connect shows it to the signed-in person. */
export type ConnectRequest = ResponseBody<'/api/v1/connect/requests/{userCode}', 'get'>;

const byCode = (userCode: string) => ({ params: { path: { userCode } } });

export const connectApi = {
  lookup: (userCode: string) => call(() => client.GET('/api/v1/connect/requests/{userCode}', byCode(userCode))),
  approve: (userCode: string, deviceName: string) =>
    call(() =>
      client.POST('/api/v1/connect/requests/{userCode}/approve', { ...byCode(userCode), body: { deviceName } }),
    ),
  deny: (userCode: string) => call(() => client.POST('/api/v1/connect/requests/{userCode}/deny', byCode(userCode))),
};

export const connectKeys = { request: (userCode: string) => ['connect', userCode] as const };
