import { useState } from 'react';
import { Button, Group, Modal, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { formatDate, formatDateTime } from '../lib/format';
import { passkeysApi, passkeysQueryKey, registerPasskey, usePasskeys, type Passkey } from '../lib/passkeys';
import { splitFieldProblems } from '../lib/problems';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';
import { useIdentityConfirmation } from './ConfirmIdentity';
import { ConfirmModal } from './ConfirmModal';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { RecoveryCodesDialog } from './RecoveryCodes';
import { useMe } from '../lib/me';
import stacked from './StackedTable.module.css';

const NAME_MAX = 100;

function validateName(value: string, taken: string[]): string | null {
  const name = value.trim();
  if (!name) return 'Enter a name for the passkey.';
  if (name.length > NAME_MAX) return `Use at most ${NAME_MAX} characters.`;
  if (taken.some((other) => other.toLowerCase() === name.toLowerCase())) {
    return 'You already have a passkey with this name.';
  }
  return null;
}

/**
 * **Passkeys and security keys** on the Security page: the user's passkeys, **Add a passkey**, rename,
 * and **Remove** (with identity confirmation). When a passkey turns MFA on, its recovery codes are shown
 * once.
 */
export function PasskeysSection() {
  const me = useMe();
  const passkeys = usePasskeys();
  const [adding, setAdding] = useState(false);
  const [renaming, setRenaming] = useState<Passkey | null>(null);
  const [removing, setRemoving] = useState<Passkey | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const names = passkeys.data?.passkeys.map((p) => p.name) ?? [];

  return (
    <Stack component="section" aria-labelledby="passkeys-heading" gap="sm">
      <Title order={2} id="passkeys-heading">
        Passkeys and security keys
      </Title>
      <Text c="dimmed" size="sm">
        Sign in with your fingerprint, face, screen lock or a hardware security key instead of typing a code.
      </Text>
      {passkeys.isPending ? (
        <Loading />
      ) : passkeys.isError ? (
        <ProblemAlert error={passkeys.error} />
      ) : passkeys.data.passkeys.length === 0 ? (
        <Text>You have no passkeys yet.</Text>
      ) : (
        <PasskeysTable passkeys={passkeys.data.passkeys} onRename={setRenaming} onRemove={setRemoving} />
      )}
      <Group>
        <Button onClick={() => setAdding(true)}>Add a passkey</Button>
      </Group>

      <AddPasskeyModal
        opened={adding}
        taken={names}
        onClose={() => setAdding(false)}
        onAdded={(codes) => {
          setAdding(false);
          if (codes) setRecoveryCodes(codes);
        }}
      />
      {renaming && (
        <RenamePasskeyModal
          passkey={renaming}
          taken={names.filter((name) => name !== renaming.name)}
          onClose={() => setRenaming(null)}
        />
      )}
      {removing && <RemovePasskeyModal passkey={removing} onClose={() => setRemoving(null)} />}
      {recoveryCodes && (
        <RecoveryCodesDialog
          codes={recoveryCodes}
          workspaceName={me.workspace.name}
          onDone={() => setRecoveryCodes(null)}
        />
      )}
    </Stack>
  );
}

interface PasskeysTableProps {
  passkeys: Passkey[];
  onRename: (passkey: Passkey) => void;
  onRemove: (passkey: Passkey) => void;
}

function PasskeysTable({ passkeys, onRename, onRemove }: PasskeysTableProps) {
  return (
    <Table.ScrollContainer minWidth={520} className={stacked.container}>
      <Table aria-label="Passkeys" className={stacked.table} verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Added</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {passkeys.map((passkey) => (
            <Table.Tr key={passkey.id}>
              <Table.Td data-label="Name">{passkey.name}</Table.Td>
              <Table.Td data-label="Added">{formatDate(passkey.createdAt)}</Table.Td>
              <Table.Td data-label="Last used">
                {passkey.lastUsedAt ? formatDateTime(passkey.lastUsedAt) : 'Never'}
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap" justify="flex-end">
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Rename ${passkey.name}`}
                    onClick={() => onRename(passkey)}
                  >
                    Rename
                  </Button>
                  <Button
                    size="xs"
                    variant="light"
                    color="red"
                    aria-label={`Remove ${passkey.name}`}
                    onClick={() => onRemove(passkey)}
                  >
                    Remove
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

interface AddPasskeyModalProps {
  opened: boolean;
  taken: string[];
  onClose: () => void;
  onAdded: (recoveryCodes: string[] | null) => void;
}

function AddPasskeyModal({ opened, taken, onClose, onAdded }: AddPasskeyModalProps) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const form = useForm({ initialValues: { name: '' }, validate: { name: (value) => validateName(value, taken) } });
  const add = useMutation({
    mutationFn: (name: string) => confirmIdentity(() => registerPasskey(name), 'Adding a passkey'),
    onSuccess: async (added) => {
      toastSuccess(`Passkey "${added.passkey.name}" added`);
      form.reset();
      add.reset();
      onAdded(added.recoveryCodes);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: passkeysQueryKey }),
        queryClient.invalidateQueries({ queryKey: queryKeys.session }),
      ]);
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, ['name']).fieldErrors),
  });

  function close() {
    form.reset();
    add.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title="Add a passkey" centered>
      <form
        noValidate
        onSubmit={form.onSubmit(({ name }) => {
          add.reset();
          add.mutate(name.trim());
        })}
      >
        <Stack>
          <ProblemAlert error={add.error} other={splitFieldProblems(add.error, ['name']).other} />
          <TextInput
            label="Name"
            description="So you can tell your passkeys apart, for example “Work laptop” or “Blue YubiKey”."
            maxLength={NAME_MAX}
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <Text size="sm" c="dimmed">
            Your browser will then ask you to create the passkey or touch your security key.
          </Text>
          <Group>
            <Button type="submit" loading={add.isPending}>
              Continue
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

function RenamePasskeyModal({ passkey, taken, onClose }: { passkey: Passkey; taken: string[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { name: passkey.name },
    validate: { name: (value) => validateName(value, taken) },
  });
  const rename = useMutation({
    mutationFn: (name: string) => passkeysApi.rename(passkey.id, name),
    onSuccess: async (renamed) => {
      toastSuccess(`Passkey renamed to "${renamed.name}"`);
      onClose();
      await queryClient.invalidateQueries({ queryKey: passkeysQueryKey });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, ['name']).fieldErrors),
  });

  return (
    <Modal opened onClose={onClose} title="Rename passkey" centered>
      <form noValidate onSubmit={form.onSubmit(({ name }) => rename.mutate(name.trim()))}>
        <Stack>
          <ProblemAlert error={rename.error} other={splitFieldProblems(rename.error, ['name']).other} />
          <TextInput
            label="Name"
            maxLength={NAME_MAX}
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <Group>
            <Button type="submit" loading={rename.isPending}>
              Save
            </Button>
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RemovePasskeyModal({ passkey, onClose }: { passkey: Passkey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const confirmIdentity = useIdentityConfirmation();
  const remove = useMutation({
    mutationFn: () => confirmIdentity(() => passkeysApi.remove(passkey.id), 'Removing a passkey'),
    onSuccess: async () => {
      toastSuccess(`Passkey "${passkey.name}" removed`);
      onClose();
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: passkeysQueryKey }),
        queryClient.invalidateQueries({ queryKey: queryKeys.session }),
      ]);
    },
  });
  return (
    <ConfirmModal
      opened
      title="Remove passkey?"
      confirmLabel="Remove"
      danger
      loading={remove.isPending}
      error={remove.error}
      onConfirm={() => remove.mutate()}
      onClose={onClose}
    >
      <Text>
        “{passkey.name}” will no longer work for signing in to Gatehouse. If it is your last second factor, MFA is
        turned off and your recovery codes stop working.
      </Text>
    </ConfirmModal>
  );
}
