import { Badge, NavLink, Stack, VisuallyHidden } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import type { Role } from '../api';
import { useDevOutbox } from '../lib/devOutbox';
import { useDevicesWaitingForApproval } from '../lib/devices';

interface NavItem {
  to: string;
  label: string;
  adminOnly: boolean;
}

const items: NavItem[] = [
  { to: '/app', label: 'Dashboard', adminOnly: false },
  { to: '/app/accounts', label: 'Accounts', adminOnly: false },
  { to: '/app/partners', label: 'Partners', adminOnly: false },
  { to: '/app/security', label: 'Security', adminOnly: false },
  { to: '/app/devices', label: 'My trusted devices', adminOnly: false },
  { to: '/app/activity', label: 'Activity', adminOnly: false },
  { to: '/app/members', label: 'Members', adminOnly: true },
  { to: '/app/settings/terms', label: 'Terms of service', adminOnly: true },
  { to: '/app/settings/workspace', label: 'Workspace settings', adminOnly: true },
];

export function AppNavbar({ role, onNavigate }: { role: Role; onNavigate: () => void }) {
  const { pathname } = useLocation();
  const isAdmin = role === 'owner' || role === 'admin';
  // Offered only while mail stays in the development outbox: the API answers 404 once SMTP is set up.
  const devOutbox = useDevOutbox(isAdmin);
  const waitingDevices = useDevicesWaitingForApproval().length;
  const shown = devOutbox.isSuccess
    ? [...items, { to: '/app/dev/outbox', label: 'Development outbox', adminOnly: true }]
    : items;

  return (
    <Stack gap={4}>
      {shown
        .filter((item) => isAdmin || !item.adminOnly)
        .map((item) => {
          // A section stays active on its sub-pages (a partner's page is under Partners).
          const active =
            pathname === item.to || (item.to === '/app' ? pathname === '/app/' : pathname.startsWith(`${item.to}/`));
          return (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.to === '/app/activity' && role === 'guest' ? 'My activity' : item.label}
              rightSection={
                item.to === '/app/devices' && waitingDevices > 0 ? (
                  <Badge size="sm" color="yellow" variant="filled">
                    {waitingDevices}
                    <VisuallyHidden> waiting for approval</VisuallyHidden>
                  </Badge>
                ) : undefined
              }
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={onNavigate}
            />
          );
        })}
    </Stack>
  );
}
