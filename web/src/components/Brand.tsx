import { Anchor } from '@mantine/core';
import { Link } from 'react-router';

/** The product name in the header; not a heading, so each page's h1 stays its title. */
export function Brand() {
  return (
    <Anchor component={Link} to="/" fw={700} fz="lg" c="indigo" underline="never">
      Gatehouse
    </Anchor>
  );
}
