import { useQuery } from '@tanstack/react-query';
import { ApiError, call, client, type RequestBody, type ResponseBody } from '../api';

/** The signed-in user's second factors (GET /mfa). */
export type MfaStatus = ResponseBody<'/api/v1/mfa', 'get'>;

/** A TOTP enrolment waiting for its first code. */
export type TotpEnrolment = ResponseBody<'/api/v1/mfa/totp/setup', 'post'>;

/** What the verification page after the password can offer. */
export type SecondFactorMethods = ResponseBody<'/api/v1/auth/second-factor/methods', 'get'>;

/** One proof of the second factor: an authentication code or a recovery code. */
export type SecondFactorProof = RequestBody<'/api/v1/auth/second-factor', 'post'>;

const member = (userId: string) => ({ params: { path: { userId } } });

export const mfaApi = {
  status: () => call(() => client.GET('/api/v1/mfa')),
  /** The key waiting for its first code if there is one (`resumed`), else a new one; `startOver` sets it aside. */
  startTotp: (startOver = false) =>
    call(() => client.POST('/api/v1/mfa/totp/setup', { body: startOver ? { startOver: true } : {} })),
  cancelTotp: () => call(() => client.DELETE('/api/v1/mfa/totp/setup')),
  confirmTotp: (code: string) => call(() => client.POST('/api/v1/mfa/totp/confirm', { body: { code } })),
  turnOffTotp: () => call(() => client.DELETE('/api/v1/mfa/totp')),
  regenerateRecoveryCodes: () => call(() => client.POST('/api/v1/mfa/recovery-codes')),
  confirmIdentity: (proof: SecondFactorProof) =>
    call(() => client.POST('/api/v1/mfa/confirm-identity', { body: proof })),
  secondFactorMethods: () => call(() => client.GET('/api/v1/auth/second-factor/methods')),
  passSecondFactor: (proof: SecondFactorProof) =>
    call(() => client.POST('/api/v1/auth/second-factor', { body: proof })),
  memberStatus: (userId: string) => call(() => client.GET('/api/v1/members/{userId}/mfa', member(userId))),
  resetMfa: (userId: string) => call(() => client.POST('/api/v1/members/{userId}/reset-mfa', member(userId))),
};

export const mfaQueryKeys = {
  status: ['mfa', 'status'] as const,
  methods: ['mfa', 'methods'] as const,
  member: (userId: string) => ['mfa', 'member', userId] as const,
};

export function useMfaStatus() {
  return useQuery({ queryKey: mfaQueryKeys.status, queryFn: mfaApi.status });
}

export function useSecondFactorMethods() {
  return useQuery({ queryKey: mfaQueryKeys.methods, queryFn: mfaApi.secondFactorMethods });
}

/** Whether an error is the problem of this name (the last part of its `type`). */
export function isProblemType(error: unknown, name: string): boolean {
  return error instanceof ApiError && error.problem.type.endsWith(`/${name}`);
}

/** The codes as a text file's content, one per line, for **Download**. */
export function recoveryCodesText(codes: string[], workspaceName: string): string {
  return [
    `Gatehouse recovery codes for ${workspaceName}`,
    'Each code works once, in place of an authentication code. Keep them somewhere safe.',
    '',
    ...codes,
    '',
  ].join('\n');
}
