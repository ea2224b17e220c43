import { Modal, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { use, useCallback, useSyncExternalStore } from 'react';
import { ApiError } from '../api';
import { MeContext } from '../lib/me';
import { isProblemType, mfaApi, mfaQueryKeys } from '../lib/mfa';
import { verifyWithPasskey } from '../lib/passkeys';
import { queryKeys } from '../lib/queries';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { SecondFactorForm } from './SecondFactorForm';

/**
 * **Confirm your identity** (SPEC §5): sensitive actions need a second factor within the last 5 minutes.
 * One dialog for the whole app (IdentityConfirmationHost, mounted by AppLayout); any component asks for
 * it through useIdentityConfirmation(), naming the action ("Revealing a password") so the dialog says
 * what needs the second factor.
 */

/** What the dialog says needs the second factor when the caller does not name its action. */
const DEFAULT_ACTION = 'This change';

interface PendingConfirmation {
  promise: Promise<void>;
  resolve: () => void;
  reject: (reason: unknown) => void;
  /** The server's refusal that led here, given back if the person cancels. */
  cause: unknown;
  /** The action that needs the confirmation, as the start of a sentence: "Revealing a password". */
  action: string;
}

let pending: PendingConfirmation | null = null;
const listeners = new Set<() => void>();

function setPending(next: PendingConfirmation | null) {
  pending = next;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const cancelled = (action: string) =>
  new ApiError({
    type: '/api/problems/identity-confirmation-required',
    title: 'Confirm your identity',
    status: 403,
    detail: `Confirm your identity with a second factor to continue: ${lowerFirst(action)} needs one within the last 5 minutes.`,
  });

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** Opens the dialog (or joins the one already open); resolves once the identity is confirmed. */
function requestIdentityConfirmation(action: string, cause?: unknown): Promise<void> {
  if (pending) return pending.promise;
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  setPending({ promise, resolve, reject, cause: cause ?? cancelled(action), action });
  return promise;
}

/** A little leeway, so an action started just before the window closes is not refused on arrival. */
const FRESHNESS_MARGIN_MS = 10_000;

/**
 * Runs a sensitive action; when the server answers identity-confirmation-required, asks the user to
 * confirm their identity with a second factor and retries the action once. When the session's last
 * confirmation has clearly run out, it asks first and saves the refused round trip. `what` names the action
 * for the dialog, as the start of a sentence ("Revealing a password"); without it the dialog says "This change".
 */
export function useIdentityConfirmation(): <T>(action: () => Promise<T>, what?: string) => Promise<T> {
  const me = use(MeContext);
  const mfaEnabled = me?.assurance.mfaEnabled ?? false;
  const confirmedUntil = me?.assurance.identityConfirmedUntil ?? null;
  return useCallback(
    async <T,>(action: () => Promise<T>, what: string = DEFAULT_ACTION): Promise<T> => {
      const fresh = confirmedUntil !== null && Date.parse(confirmedUntil) - FRESHNESS_MARGIN_MS > Date.now();
      if (mfaEnabled && !fresh) {
        await requestIdentityConfirmation(what);
        return action();
      }
      try {
        return await action();
      } catch (error) {
        if (!isProblemType(error, 'identity-confirmation-required')) throw error;
        await requestIdentityConfirmation(what, error);
        return action();
      }
    },
    [mfaEnabled, confirmedUntil],
  );
}

/** The **Confirm your identity** dialog, shown whenever a component asks for a confirmation. */
export function IdentityConfirmationHost() {
  const current = useSyncExternalStore(subscribe, () => pending);
  if (!current) return null;
  return <ConfirmIdentityModal confirmation={current} />;
}

function ConfirmIdentityModal({ confirmation }: { confirmation: PendingConfirmation }) {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: mfaQueryKeys.status, queryFn: mfaApi.status });

  function close() {
    setPending(null);
    confirmation.reject(confirmation.cause);
  }

  return (
    <Modal opened onClose={close} title="Confirm your identity" centered zIndex={400}>
      <Stack>
        <Text size="sm">
          {confirmation.action} needs a second factor within the last 5 minutes. Confirm it&apos;s you with your
          authenticator app, a recovery code or a passkey.
        </Text>
        {status.isPending ? (
          <Loading />
        ) : status.data ? (
          <SecondFactorForm
            methods={{
              totp: status.data.totp,
              passkey: status.data.passkeys > 0,
              recoveryCode: status.data.recoveryCodes > 0,
            }}
            submit={mfaApi.confirmIdentity}
            passkey={() => verifyWithPasskey('identity')}
            onVerified={(me) => {
              queryClient.setQueryData(queryKeys.session, me);
              void queryClient.invalidateQueries({ queryKey: mfaQueryKeys.status });
              setPending(null);
              confirmation.resolve();
            }}
          />
        ) : (
          <ProblemAlert error={status.error} />
        )}
      </Stack>
    </Modal>
  );
}
