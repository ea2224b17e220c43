import { Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, type PartnerDetail } from '../../api';
import { queryKeys } from '../../lib/queries';
import { splitFieldProblems } from '../../lib/problems';
import { toastSuccess } from '../../lib/toast';
import { ProblemAlert } from '../ProblemAlert';

const fields = ['name'] as const;

interface Props {
  partner: PartnerDetail;
  opened: boolean;
  onClose: () => void;
}

export function RenamePartnerModal({ partner, opened, onClose }: Props) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { name: partner.name } });

  const rename = useMutation({
    mutationFn: (name: string) => api.renamePartner(partner.id, name.trim()),
    onSuccess: async (updated) => {
      queryClient.setQueryData(queryKeys.partner(partner.id), updated);
      toastSuccess('Partner renamed');
      onClose();
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
    },
    onError: (error) => form.setErrors(splitFieldProblems(error, fields).fieldErrors),
  });
  const other = splitFieldProblems(rename.error, fields).other;

  function close() {
    rename.reset();
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title={`Rename ${partner.name}`} centered>
      <form
        noValidate
        onSubmit={form.onSubmit(({ name }) => {
          form.clearErrors();
          rename.mutate(name);
        })}
      >
        <Stack>
          <ProblemAlert error={rename.error} other={other} />
          <TextInput
            label="Company name"
            autoComplete="off"
            aria-required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={rename.isPending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
