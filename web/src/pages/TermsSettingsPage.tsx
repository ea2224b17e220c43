import { Button, Code, Group, Modal, Paper, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import stacked from '../components/StackedTable.module.css';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type TermsVersion } from '../api';
import { AdminOnly } from '../components/AdminOnly';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { TermsText } from '../components/TermsText';
import { formatDateTime } from '../lib/format';
import { queryKeys } from '../lib/queries';
import { splitFieldProblems } from '../lib/problems';
import { toastSuccess } from '../lib/toast';

/** Terms of service settings (/app/settings/terms): the current text, publishing a new version, history. */
export function TermsSettingsPage() {
  return (
    <Stack maw={1000}>
      <Title order={1}>Terms of service</Title>
      <AdminOnly>
        <TermsSettings />
      </AdminOnly>
    </Stack>
  );
}

function TermsSettings() {
  const versions = useQuery({ queryKey: queryKeys.termsVersions, queryFn: api.listTermsVersions });
  if (versions.isPending) return <Loading />;
  if (!versions.data) return <ProblemAlert error={versions.error} />;
  const [current] = versions.data.versions;
  return (
    <Stack gap="xl">
      {current ? (
        <section aria-labelledby="terms-current">
          <Title order={2} size="h3" id="terms-current">
            Current version: {current.version}
          </Title>
          <Text c="dimmed" size="sm" mb="sm">
            Published {formatDateTime(current.publishedAt)} · accepted by {acceptedBy(current.acceptances)}
          </Text>
          <Paper withBorder p="md" radius="md">
            <TermsText body={current.body} />
          </Paper>
        </section>
      ) : (
        <Text c="dimmed">No terms of service have been published yet.</Text>
      )}
      {/* Keyed by version: once a new one is published, the form starts from its text. */}
      <PublishTermsForm key={current?.version ?? 0} current={current?.body ?? ''} />
      <section aria-labelledby="terms-versions">
        <Title order={2} size="h3" id="terms-versions" mb="sm">
          Versions
        </Title>
        <VersionsTable versions={versions.data.versions} />
      </section>
    </Stack>
  );
}

function acceptedBy(count: number): string {
  return count === 1 ? '1 person' : `${count} people`;
}

function PublishTermsForm({ current }: { current: string }) {
  const queryClient = useQueryClient();
  const [confirming, { open, close }] = useDisclosure(false);
  const form = useForm({ initialValues: { body: current } });

  const publish = useMutation({
    mutationFn: (body: string) => api.publishTerms(body),
    onSuccess: async () => {
      close();
      toastSuccess('Terms published');
      // Everyone, the publisher included, is asked to accept the new version: the session first, so that
      // the agreement dialog replaces this page before the terms are fetched again.
      await queryClient.invalidateQueries({ queryKey: queryKeys.session });
      await queryClient.invalidateQueries({ queryKey: ['terms'] });
    },
    onError: (error) => {
      close();
      form.setErrors(splitFieldProblems(error, ['body']).fieldErrors);
    },
  });
  const other = splitFieldProblems(publish.error, ['body']).other;
  const unchanged = form.values.body.trim() === current.trim();

  return (
    <section aria-labelledby="terms-publish">
      <Title order={2} size="h3" id="terms-publish" mb="sm">
        Publish a new version
      </Title>
      <form
        noValidate
        onSubmit={form.onSubmit(() => {
          form.clearErrors();
          publish.reset();
          open();
        })}
      >
        <Stack>
          <ProblemAlert error={publish.error} other={other} />
          <Textarea
            label="Terms text"
            description="Plain text. Line breaks are kept."
            autosize
            minRows={8}
            maxRows={24}
            aria-required
            {...form.getInputProps('body')}
          />
          <Group justify="flex-end">
            {unchanged && (
              <Text size="sm" c="dimmed">
                Change the text to publish a new version.
              </Text>
            )}
            <Button type="submit" disabled={unchanged}>
              Publish new version
            </Button>
          </Group>
        </Stack>
      </form>
      <Modal opened={confirming} onClose={close} title="Publish new version?" centered>
        <Stack>
          <Text>Everyone will be asked to accept the new version.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button loading={publish.isPending} onClick={() => publish.mutate(form.values.body)} data-autofocus>
              Publish new version
            </Button>
          </Group>
        </Stack>
      </Modal>
    </section>
  );
}

function VersionsTable({ versions }: { versions: TermsVersion[] }) {
  return (
    <Table.ScrollContainer minWidth={560} className={stacked.container}>
      <Table aria-label="Terms versions" striped verticalSpacing="sm" className={stacked.table}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Version</Table.Th>
            <Table.Th scope="col">Published</Table.Th>
            <Table.Th scope="col">Acceptances</Table.Th>
            <Table.Th scope="col">SHA-256 of the text</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {versions.map((v) => (
            <Table.Tr key={v.version}>
              <Table.Td data-label="Version">Version {v.version}</Table.Td>
              <Table.Td data-label="Published">
                <time dateTime={v.publishedAt}>{formatDateTime(v.publishedAt)}</time>
              </Table.Td>
              <Table.Td data-label="Acceptances">{v.acceptances}</Table.Td>
              <Table.Td data-label="SHA-256 of the text">
                <Code title={v.bodySha256}>{v.bodySha256.slice(0, 16)}…</Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
