import { Anchor, Breadcrumbs, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { isNotFound } from '../lib/queries';
import { ProblemAlert } from './ProblemAlert';

/** Where a detail page sits: the list it belongs to (a link), then the item's name. */
export interface Section {
  /** The list's label, e.g. "Partners". */
  label: string;
  /** The list's path, e.g. "/app/partners". */
  to: string;
}

export function SectionCrumbs({ section, current }: { section: Section; current?: string }) {
  return (
    <Breadcrumbs aria-label="Breadcrumb">
      <Anchor component={Link} to={section.to} size="sm">
        {section.label}
      </Anchor>
      {current && (
        <Text size="sm" c="dimmed" aria-current="page">
          {current}
        </Text>
      )}
    </Breadcrumbs>
  );
}

/** A detail page whose item could not be loaded: "… not found" (or the problem) and a way back. */
export function MissingDetail({
  section,
  what,
  error,
  maw,
}: {
  section: Section;
  /** The kind of item, e.g. "Partner". */
  what: string;
  error: unknown;
  maw: number;
}) {
  return (
    <Stack maw={maw}>
      <SectionCrumbs section={section} />
      <Title order={1}>{isNotFound(error) ? `${what} not found` : what}</Title>
      <ProblemAlert error={error} />
      <Anchor component={Link} to={section.to}>
        Back to {section.label.toLowerCase()}
      </Anchor>
    </Stack>
  );
}
