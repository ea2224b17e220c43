import {
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { useForm } from '@mantine/form';
import { useMutation } from '@tanstack/react-query';
import type { AccountDetail, NewAccountInput } from '../../lib/accounts';
import {
  CHARACTER_CLASSES,
  DEFAULT_GENERATOR_OPTIONS,
  generatePassword,
  MAX_GENERATED_LENGTH,
  MIN_GENERATED_LENGTH,
  type CharacterClass,
  type GeneratorOptions,
} from '../../lib/passwordGenerator';
import { splitFieldProblems } from '../../lib/problems';
import { ProblemAlert } from '../ProblemAlert';

interface FormValues {
  name: string;
  appName: string;
  loginUrl: string;
  username: string;
  password: string;
  totpSecret: string;
  notes: string;
}

const FIELDS = ['name', 'appName', 'loginUrl', 'username', 'password', 'totpSecret', 'notes'] as const;

interface AccountFormModalProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  submitLabel: string;
  /** Editing: the account as it is. The password and TOTP secret are never sent to the page, so empty keeps them. */
  account?: AccountDetail;
  submit: (input: NewAccountInput) => Promise<AccountDetail>;
  onSaved: (account: AccountDetail) => void;
}

function initialValues(account?: AccountDetail): FormValues {
  return {
    name: account?.name ?? '',
    appName: account?.appName ?? '',
    loginUrl: account?.loginUrl ?? '',
    username: account?.username ?? '',
    password: '',
    totpSecret: '',
    notes: account?.notes ?? '',
  };
}

/** **Add account** and **Edit**: the server validates every field and its errors show under the field. */
export function AccountFormModal({
  opened,
  onClose,
  title,
  submitLabel,
  account,
  submit,
  onSaved,
}: AccountFormModalProps) {
  const editing = account !== undefined;
  const form = useForm<FormValues>({ initialValues: initialValues(account) });
  // A generated password shows, so that it can be read before it is saved.
  const [passwordVisible, setPasswordVisible] = useState(false);

  const save = useMutation({
    mutationFn: (values: FormValues) => {
      const input: NewAccountInput = {
        name: values.name,
        appName: values.appName,
        loginUrl: values.loginUrl,
        username: values.username,
        notes: values.notes,
      };
      // Left empty while editing, a secret stays as it is; on a new account empty means none.
      if (!editing || values.password !== '') input.password = values.password;
      if (!editing || values.totpSecret.trim() !== '') input.totpSecret = values.totpSecret;
      return submit(input);
    },
    onSuccess: (saved) => {
      close();
      onSaved(saved);
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, FIELDS).fieldErrors),
  });
  const other = splitFieldProblems(save.error, FIELDS).other;
  // A field error is shown under its field; the alert would only say the same thing again.
  const fieldErrorsOnly = Object.keys(splitFieldProblems(save.error, FIELDS).fieldErrors).length > 0 && !other.length;

  function close() {
    form.setValues(initialValues(account));
    form.clearErrors();
    save.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={title} centered size="lg">
      <form
        noValidate
        onSubmit={form.onSubmit((values) => {
          form.clearErrors();
          save.mutate(values);
        })}
      >
        <Stack>
          {!fieldErrorsOnly && <ProblemAlert error={save.error} other={other} />}
          <TextInput label="Name" autoComplete="off" aria-required data-autofocus {...form.getInputProps('name')} />
          <TextInput label="App name" autoComplete="off" {...form.getInputProps('appName')} />
          <TextInput
            label="Login URL"
            type="url"
            autoComplete="off"
            placeholder="https://"
            {...form.getInputProps('loginUrl')}
          />
          <TextInput label="Username" autoComplete="off" {...form.getInputProps('username')} />
          <PasswordInput
            label="Password"
            autoComplete="new-password"
            description={editing ? 'Leave empty to keep the current password.' : undefined}
            visible={passwordVisible}
            onVisibilityChange={setPasswordVisible}
            {...form.getInputProps('password')}
          />
          <PasswordGenerator
            onGenerated={(password) => {
              form.setFieldValue('password', password);
              setPasswordVisible(true);
            }}
          />
          <TextInput
            label="TOTP secret"
            autoComplete="off"
            description={
              editing
                ? 'Leave empty to keep the current secret. Base32 key or otpauth:// URI.'
                : 'The key your authenticator app would use: base32, or an otpauth:// URI.'
            }
            {...form.getInputProps('totpSecret')}
          />
          <Textarea label="Notes" autosize minRows={2} maxRows={8} {...form.getInputProps('notes')} />
          <Group mt="xs">
            <Button type="submit" loading={save.isPending}>
              {submitLabel}
            </Button>
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** **Generate password**: fills the Password field; the length and kinds of characters can be chosen. */
function PasswordGenerator({ onGenerated }: { onGenerated: (password: string) => void }) {
  const [options, setOptions] = useState<GeneratorOptions>(DEFAULT_GENERATOR_OPTIONS);
  const [choosing, setChoosing] = useState(false);
  const lengthOk =
    Number.isInteger(options.length) &&
    options.length >= MIN_GENERATED_LENGTH &&
    options.length <= MAX_GENERATED_LENGTH;
  const problem =
    options.classes.length === 0
      ? 'Choose at least one kind of character.'
      : lengthOk
        ? null
        : `Choose a length from ${MIN_GENERATED_LENGTH} to ${MAX_GENERATED_LENGTH}.`;
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Button
          size="xs"
          variant="light"
          disabled={problem !== null}
          onClick={() => onGenerated(generatePassword(options))}
        >
          Generate password
        </Button>
        <Button
          size="xs"
          variant="subtle"
          aria-expanded={choosing}
          aria-controls="password-generator-options"
          onClick={() => setChoosing((open) => !open)}
        >
          Generator options
        </Button>
      </Group>
      {choosing && (
        <Fieldset id="password-generator-options" legend="Generated passwords" variant="filled">
          <Stack gap="xs">
            <NumberInput
              label="Length"
              min={MIN_GENERATED_LENGTH}
              max={MAX_GENERATED_LENGTH}
              allowDecimal={false}
              w={140}
              value={options.length}
              onChange={(value) => setOptions((o) => ({ ...o, length: typeof value === 'number' ? value : NaN }))}
            />
            {(Object.keys(CHARACTER_CLASSES) as CharacterClass[]).map((kind) => (
              <Checkbox
                key={kind}
                label={CHARACTER_CLASSES[kind].label}
                checked={options.classes.includes(kind)}
                onChange={(event) => {
                  const checked = event.currentTarget.checked;
                  setOptions((o) => ({
                    ...o,
                    classes: checked ? [...o.classes, kind] : o.classes.filter((c) => c !== kind),
                  }));
                }}
              />
            ))}
            {problem && (
              <Text size="sm" c="red.8" role="alert">
                {problem}
              </Text>
            )}
          </Stack>
        </Fieldset>
      )}
    </Stack>
  );
}
