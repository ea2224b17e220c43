import { Alert, Anchor, Button, Checkbox, Group, Modal, ScrollArea, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '../api';
import { formatDate } from '../lib/format';
import { queryKeys } from '../lib/queries';
import { toastSuccess } from '../lib/toast';
import { Loading } from './Loading';
import { ProblemAlert } from './ProblemAlert';
import { TermsText } from './TermsText';

const noop = () => {};

function isTermsChanged(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.problem.type.endsWith('/terms-changed');
}

/**
 * Terms of service agreement: shown over the dashboard until the current version is accepted.
 * It cannot be dismissed; the server refuses everything else until then anyway.
 */
export function TermsAgreementModal() {
  const queryClient = useQueryClient();
  const [agreed, setAgreed] = useState(false);
  const [changed, setChanged] = useState(false);
  const terms = useQuery({ queryKey: queryKeys.currentTerms, queryFn: api.getCurrentTerms, staleTime: 0 });

  const accept = useMutation({
    mutationFn: (version: number) => api.acceptTerms(version),
    onSuccess: async () => {
      toastSuccess('Terms accepted');
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.session }),
        queryClient.invalidateQueries({ queryKey: queryKeys.currentTerms }),
      ]);
    },
    onError: async (error) => {
      if (!isTermsChanged(error)) return;
      // A new version was published while this one was open: show it, and ask again.
      setAgreed(false);
      setChanged(true);
      await terms.refetch();
    },
  });

  return (
    <Modal
      opened
      onClose={noop}
      title="Terms of service agreement"
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      centered
      size="lg"
    >
      {terms.isPending ? (
        <Loading label="Loading the terms of service…" />
      ) : !terms.data ? (
        <Stack>
          <ProblemAlert error={terms.error} />
          <Button variant="default" onClick={() => void terms.refetch()}>
            Try again
          </Button>
        </Stack>
      ) : (
        <Stack>
          <Text size="sm">
            Before you continue, read and accept the terms of service of this workspace (version {terms.data.version},
            published {formatDate(terms.data.publishedAt)}).
          </Text>
          {changed && (
            <Alert color="orange" variant="light" role="alert">
              The terms of service changed while you were reading them. Read the new version below and accept it.
            </Alert>
          )}
          {accept.error && !isTermsChanged(accept.error) && <ProblemAlert error={accept.error} />}
          <ScrollArea.Autosize mah={280} type="auto" offsetScrollbars>
            <div
              tabIndex={0}
              role="region"
              aria-label="Terms of service text"
              style={{
                padding: 'var(--mantine-spacing-sm)',
                background: 'var(--gatehouse-page-background)',
                borderRadius: 8,
              }}
            >
              <TermsText body={terms.data.body} />
            </div>
          </ScrollArea.Autosize>
          <Anchor href="/app/terms" target="_blank" rel="noopener" size="sm">
            Terms of Service
          </Anchor>
          <Checkbox
            label="I confirm that I have read, consent, and agree to the Terms of Service"
            checked={agreed}
            onChange={(event) => setAgreed(event.currentTarget.checked)}
          />
          <Group justify="flex-end">
            <Button
              disabled={!agreed}
              loading={accept.isPending}
              onClick={() => {
                setChanged(false);
                accept.mutate(terms.data.version);
              }}
            >
              Continue
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
