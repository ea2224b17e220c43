import { Title } from '@mantine/core';

// Placeholder while this page is being built (issue 4); replaced in the same session.
export function SecondFactorPage() {
  return <Title order={1}>SecondFactorPage</Title>;
}
