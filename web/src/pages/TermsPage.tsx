import { Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { TermsText } from '../components/TermsText';
import { formatDate } from '../lib/format';
import { queryKeys } from '../lib/queries';

/** The workspace's current terms of service (/app/terms), readable while acceptance is pending. */
export function TermsPage() {
  const terms = useQuery({ queryKey: queryKeys.currentTerms, queryFn: api.getCurrentTerms });
  return (
    <Stack maw={820}>
      <Title order={1}>Terms of Service</Title>
      <ProblemAlert error={terms.error} />
      {terms.isPending ? (
        <Loading />
      ) : (
        terms.data && (
          <>
            <Text c="dimmed" size="sm">
              Version {terms.data.version}, published {formatDate(terms.data.publishedAt)}
              {terms.data.accepted ? '. You have accepted this version.' : '.'}
            </Text>
            <Paper withBorder p="lg" radius="md">
              <TermsText body={terms.data.body} />
            </Paper>
          </>
        )
      )}
    </Stack>
  );
}
