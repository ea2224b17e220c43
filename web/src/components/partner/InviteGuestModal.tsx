import { Button, Group, List, Modal, Stack, Text, Textarea, ThemeIcon } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type GuestInvitationResult, type PartnerDetail } from '../../api';
import { queryKeys } from '../../lib/queries';
import { toastSuccess } from '../../lib/toast';
import { ProblemAlert } from '../ProblemAlert';
import { AccessEndInput } from '../AccessEndInput';
import { endOfChosenDay } from '../../lib/accessEnds';

/** As many as the server takes in one request. */
const MAX_ADDRESSES = 100;
// The same shape the server checks; the server has the last word on every address.
const EMAIL_PATTERN = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

/** The addresses typed: one per line, or separated by commas or semicolons. */
function splitAddresses(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function addressProblem(addresses: string[]): string | null {
  if (addresses.length === 0) return 'Enter at least one email address.';
  if (addresses.length > MAX_ADDRESSES) return `Invite at most ${MAX_ADDRESSES} people at once.`;
  const invalid = addresses.filter((address) => !EMAIL_PATTERN.test(address));
  if (invalid.length === 1) return `This is not an email address: ${invalid[0]}`;
  if (invalid.length > 1) return `These are not email addresses: ${invalid.join(', ')}`;
  return null;
}

interface Props {
  partner: PartnerDetail;
  opened: boolean;
  onClose: () => void;
}

/**
 * Invite guest users: one or more email addresses (one per line, or comma-separated); each person joins as
 * a guest user. Each address is invited or refused on its own: when all are invited the dialog closes;
 * otherwise it lists each result and keeps the refused addresses in the field to correct or drop.
 */
export function InviteGuestModal({ partner, opened, onClose }: Props) {
  const queryClient = useQueryClient();
  const form = useForm({ initialValues: { emails: '' } });
  const [results, setResults] = useState<GuestInvitationResult[] | null>(null);
  const [lastDay, setLastDay] = useState('');

  const invite = useMutation({
    mutationFn: (emails: string[]) => api.inviteGuests(partner.id, emails, endOfChosenDay(lastDay)),
    onSuccess: async (answered) => {
      const invited = answered.filter((r) => r.status === 'invited');
      if (invited.length > 0) {
        toastSuccess(invited.length === 1 ? 'Invitation sent' : `${invited.length} invitations sent`);
      }
      await queryClient.invalidateQueries({ queryKey: queryKeys.partner(partner.id) });
      await queryClient.invalidateQueries({ queryKey: queryKeys.partners });
      if (invited.length === answered.length) {
        close();
        return;
      }
      setResults(answered);
      form.setFieldValue(
        'emails',
        answered
          .filter((r) => r.status === 'refused')
          .map((r) => r.email)
          .join('\n'),
      );
    },
  });

  function close() {
    form.reset();
    invite.reset();
    setResults(null);
    setLastDay('');
    onClose();
  }

  return (
    <Modal opened={opened} onClose={close} title="Invite guest users" centered>
      <form
        noValidate
        onSubmit={form.onSubmit(({ emails }) => {
          const addresses = splitAddresses(emails);
          const problem = addressProblem(addresses);
          if (problem) {
            form.setFieldError('emails', problem);
            return;
          }
          form.clearErrors();
          setResults(null);
          invite.mutate(addresses);
        })}
      >
        <Stack>
          <Text size="sm" c="dimmed">
            Each person gets an email with a temporary password and joins {partner.name} as a guest user.
          </Text>
          <ProblemAlert error={invite.error} />
          {results && <InvitationResults results={results} />}
          <Textarea
            label="Email addresses"
            description="One per line, or separated by commas."
            autoComplete="off"
            autosize
            minRows={3}
            maxRows={10}
            aria-required
            data-autofocus
            {...form.getInputProps('emails')}
          />
          {partner.permissions.setGuestAccessEnd && (
            <AccessEndInput label="Guest access ends on" value={lastDay} onChange={setLastDay} />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {results ? 'Done' : 'Cancel'}
            </Button>
            <Button type="submit" loading={invite.isPending}>
              Send Invite
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** What became of each address of the last submit, announced to screen readers. */
function InvitationResults({ results }: { results: GuestInvitationResult[] }) {
  const refused = results.filter((r) => r.status === 'refused').length;
  return (
    <Stack gap="xs" role="status" aria-label="Invitation results">
      <Text size="sm" fw={500}>
        {results.length - refused} of {results.length} invited. The addresses not invited are left below.
      </Text>
      <List size="sm" spacing={4} aria-label="Result for each address">
        {results.map((result, index) => (
          <List.Item
            key={`${index}:${result.email}`}
            icon={
              <ThemeIcon size={16} radius="xl" color={result.status === 'invited' ? 'teal' : 'red'} aria-hidden>
                {result.status === 'invited' ? '✓' : '!'}
              </ThemeIcon>
            }
          >
            <Text span size="sm" fw={500}>
              {result.email}
            </Text>
            {': '}
            <Text span size="sm">
              {result.status === 'invited' ? 'Invited' : `Not invited. ${result.problem?.detail ?? ''}`}
            </Text>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
