import { useQuery } from '@tanstack/react-query';
import { ApiError, request, type Me } from '../api';

/** The signed-in user's second factors (GET /mfa). */
export interface MfaStatus {
  totp: boolean;
  passkeys: number;
  /** Unused recovery codes. */
  recoveryCodes: number;
}

/** A TOTP enrolment waiting for its first code. */
export interface TotpEnrolment {
  /** The key in groups of four, for typing into an authenticator app. */
  key: string;
  uri: string;
  /** The key as a QR code (a data: URL). */
  qrCode: string;
}

/** What the verification page after the password can offer. */
export interface SecondFactorMethods {
  totp: boolean;
  passkey: boolean;
  recoveryCode: boolean;
}

/** One proof of the second factor: an authentication code or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

const seg = encodeURIComponent;

export const mfaApi = {
  status: () => request<MfaStatus>('GET', '/mfa'),
  startTotp: () => request<TotpEnrolment>('POST', '/mfa/totp/setup'),
  confirmTotp: (code: string) =>
    request<{ recoveryCodes: string[] | null; me: Me }>('POST', '/mfa/totp/confirm', { code }),
  turnOffTotp: () => request<void>('DELETE', '/mfa/totp'),
  regenerateRecoveryCodes: () => request<{ recoveryCodes: string[] }>('POST', '/mfa/recovery-codes'),
  confirmIdentity: (proof: SecondFactorProof) => request<Me>('POST', '/mfa/confirm-identity', proof),
  secondFactorMethods: () => request<SecondFactorMethods>('GET', '/auth/second-factor/methods'),
  passSecondFactor: (proof: SecondFactorProof) => request<Me>('POST', '/auth/second-factor', proof),
  memberStatus: (userId: string) => request<MfaStatus>('GET', `/members/${seg(userId)}/mfa`),
  resetMfa: (userId: string) => request<void>('POST', `/members/${seg(userId)}/reset-mfa`),
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
