import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { isWorkspaceAdmin, useMe } from './AppLayout';

/** Renders its children for the workspace owner and admins; others see why they cannot. */
export function AdminOnly({ children }: { children: ReactNode }) {
  const me = useMe();
  if (isWorkspaceAdmin(me)) return <>{children}</>;
  return (
    <Alert color="gray" role="alert">
      Only the workspace owner and admins can see this page.
    </Alert>
  );
}
