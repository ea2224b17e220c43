import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { chosenDayOf, endOfChosenDay, lastDayText } from '../../lib/accessEnds';
import { fieldMessages } from '../../lib/problems';
import { toastSuccess } from '../../lib/toast';
import { AccessEndInput } from '../AccessEndInput';
import { ProblemAlert } from '../ProblemAlert';

/**
 * **Guest access ends on** (SPEC §8a), on the partner member page, for host admins (the partner's
 * `permissions.setGuestAccessEnd`; the server checks again). From the end of that day the guest can do
 * nothing; the sponsor and host admins are emailed seven days before.
 */
export function GuestAccessEndSection({
  partnerId,
  userId,
  name,
  accessEndsAt,
}: {
  partnerId: string;
  userId: string;
  name: string;
  accessEndsAt: string | null;
}) {
  const queryClient = useQueryClient();
  const [lastDay, setLastDay] = useState(accessEndsAt ? chosenDayOf(accessEndsAt) : '');
  const save = useMutation({
    mutationFn: (end: string | null) => api.setGuestAccessEnd(partnerId, userId, end),
    onSuccess: async (_partner, end) => {
      toastSuccess(end ? `${name}'s access ends after ${lastDayText(end)}` : `${name}'s access has no end date`);
      if (!end) setLastDay('');
      await queryClient.invalidateQueries({ queryKey: ['partners', partnerId] });
    },
  });

  return (
    <Stack component="section" aria-labelledby="guest-access-end" gap="sm">
      <Title order={2} size="h3" id="guest-access-end">
        Guest access
      </Title>
      <Text size="sm">
        {accessEndsAt
          ? `${name}'s access ends by itself after ${lastDayText(accessEndsAt)}.`
          : `${name}'s access has no end date: it lasts until someone removes it.`}
      </Text>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(endOfChosenDay(lastDay));
        }}
      >
        <Stack gap="sm" maw={360}>
          <ProblemAlert error={fieldMessages(save.error, 'accessEndsAt').length ? null : save.error} />
          <AccessEndInput
            label="Guest access ends on"
            value={lastDay}
            onChange={setLastDay}
            error={fieldMessages(save.error, 'accessEndsAt')[0]}
          />
          <Group>
            <Button type="submit" loading={save.isPending && save.variables !== null} disabled={!lastDay}>
              Save end date
            </Button>
            {accessEndsAt && (
              <Button
                variant="default"
                loading={save.isPending && save.variables === null}
                onClick={() => save.mutate(null)}
              >
                Remove end date
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
