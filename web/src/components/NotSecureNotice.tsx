import { Alert, Anchor } from '@mantine/core';
import { Link } from 'react-router';

/**
 * Shown on every page while the session is not trusted (SPEC §4, §6): the server gives such a session no
 * password and no TOTP code, and this says why and where to fix it.
 */
export function NotSecureNotice() {
  return (
    <Alert color="yellow" variant="light" title="Your current session is not secure" mb="lg" role="note">
      Passwords and TOTP codes are not available until this device is trusted.{' '}
      <Anchor component={Link} to="/app/trusted-session" size="sm">
        Set up a trusted session
      </Anchor>
    </Alert>
  );
}
