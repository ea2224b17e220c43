import { Anchor, Button, Divider, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Me } from '../api';
import { isProblemType, type SecondFactorMethods, type SecondFactorProof } from '../lib/mfa';
import { errorMessage } from '../lib/problems';
import { ProblemAlert } from './ProblemAlert';

interface SecondFactorFormProps {
  methods: SecondFactorMethods;
  /** Checks an authentication code or a recovery code with the server. */
  submit: (proof: SecondFactorProof) => Promise<Me>;
  /** The passkey ceremony, offered when the user has passkeys. */
  passkey: () => Promise<Me>;
  onVerified: (me: Me) => void;
}

/**
 * The three ways to prove the second factor, shared by the verification page after the password and
 * **Confirm your identity**: an **Authentication Code**, a recovery code instead, or **Use a passkey**.
 */
export function SecondFactorForm({ methods, submit, passkey, onVerified }: SecondFactorFormProps) {
  // Someone with passkeys but no authenticator app is offered the passkey first, recovery codes on request.
  const passkeyFirst = methods.passkey && !methods.totp;
  const [mode, setMode] = useState<'code' | 'recovery' | null>(
    methods.totp ? 'code' : passkeyFirst ? null : methods.recoveryCode ? 'recovery' : 'code',
  );
  const form = useForm({ initialValues: { code: '', recoveryCode: '' } });
  // The field takes focus when it appears: in **Confirm your identity** it comes after the dialog opened
  // (focus was on Close), and switching code ↔ recovery code removes the link that had focus.
  const fieldRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    fieldRef.current?.focus();
  }, [mode]);

  const verify = useMutation({
    mutationFn: (proof: SecondFactorProof) => submit(proof),
    onSuccess: onVerified,
    onError: (error) => {
      // A wrong code is explained under the field it belongs to; anything else shows above the form.
      // The refused code is cleared first: changing a value clears its error.
      if (mode === 'code') form.setFieldValue('code', '');
      if (isProblemType(error, 'totp-code-invalid')) form.setFieldError('code', errorMessage(error));
      if (isProblemType(error, 'recovery-code-invalid')) form.setFieldError('recoveryCode', errorMessage(error));
    },
  });
  const withPasskey = useMutation({ mutationFn: passkey, onSuccess: onVerified });
  const shownUnderField =
    isProblemType(verify.error, 'totp-code-invalid') || isProblemType(verify.error, 'recovery-code-invalid');

  function switchTo(next: 'code' | 'recovery') {
    form.clearErrors();
    verify.reset();
    setMode(next);
  }

  return (
    <Stack>
      <ProblemAlert error={shownUnderField ? null : verify.error} />
      <ProblemAlert error={withPasskey.error} />
      {passkeyFirst && (
        <Group>
          <Button loading={withPasskey.isPending} onClick={() => withPasskey.mutate()}>
            Use a passkey
          </Button>
        </Group>
      )}
      {mode !== null && (methods.totp || methods.recoveryCode) && (
        <form
          noValidate
          onSubmit={form.onSubmit((values) => {
            form.clearErrors();
            if (mode === 'code') {
              const code = values.code.replace(/\s/g, '');
              if (!/^\d{6}$/.test(code)) return form.setFieldError('code', 'Enter the 6 digits your app shows.');
              verify.mutate({ code });
            } else {
              if (!values.recoveryCode.trim())
                return form.setFieldError('recoveryCode', 'Enter one of your recovery codes.');
              verify.mutate({ recoveryCode: values.recoveryCode.trim() });
            }
          })}
        >
          <Stack>
            {mode === 'code' ? (
              <TextInput
                key="code"
                ref={fieldRef}
                label="Authentication Code"
                description="The 6-digit code your authenticator app shows now"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                data-autofocus
                aria-required
                {...form.getInputProps('code')}
              />
            ) : (
              <TextInput
                key="recovery"
                ref={fieldRef}
                label="Recovery code"
                description="One of the codes you saved when you turned on MFA; each works once"
                autoComplete="off"
                spellCheck={false}
                data-autofocus
                aria-required
                {...form.getInputProps('recoveryCode')}
              />
            )}
            <Group>
              <Button type="submit" loading={verify.isPending}>
                Verify
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {mode !== 'recovery' && methods.recoveryCode && (
        <Anchor component="button" type="button" size="sm" ta="left" onClick={() => switchTo('recovery')}>
          Use a recovery code instead
        </Anchor>
      )}
      {mode === 'recovery' && methods.totp && (
        <Anchor component="button" type="button" size="sm" ta="left" onClick={() => switchTo('code')}>
          Use an authentication code instead
        </Anchor>
      )}
      {methods.passkey && !passkeyFirst && (
        <>
          {(methods.totp || methods.recoveryCode) && <Divider label="or" labelPosition="center" />}
          <Group>
            <Button variant="default" loading={withPasskey.isPending} onClick={() => withPasskey.mutate()}>
              Use a passkey
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
