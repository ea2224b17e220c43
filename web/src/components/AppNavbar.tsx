import { NavLink, Stack } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import type { Role } from '../api';

interface NavItem {
  to: string;
  label: string;
  adminOnly: boolean;
}

const items: NavItem[] = [
  { to: '/app', label: 'Dashboard', adminOnly: false },
  { to: '/app/members', label: 'Members', adminOnly: true },
  { to: '/app/activity', label: 'Activity', adminOnly: true },
];

export function AppNavbar({ role, onNavigate }: { role: Role; onNavigate: () => void }) {
  const { pathname } = useLocation();
  const isAdmin = role === 'owner' || role === 'admin';

  return (
    <Stack gap={4}>
      {items
        .filter((item) => isAdmin || !item.adminOnly)
        .map((item) => {
          const active = pathname === item.to || pathname === `${item.to}/`;
          return (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={onNavigate}
            />
          );
        })}
    </Stack>
  );
}
