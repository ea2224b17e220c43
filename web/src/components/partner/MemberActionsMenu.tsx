import { ActionIcon, Menu } from '@mantine/core';
import type { PartnerMember } from '../../api';
import type { MemberAction } from '../../lib/partners';

const labels: Record<MemberAction, string> = {
  details: 'View details',
  resend: 'Resend invitation',
  revoke: 'Revoke',
  makeAdmin: 'Make guest admin',
  makeUser: 'Make guest user',
  remove: 'Remove',
  removeHost: 'Remove host',
};

const dangerous: ReadonlySet<MemberAction> = new Set(['revoke', 'remove', 'removeHost']);

function DotsIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
      <circle cx="5" cy="12" r="2" />
      <circle cx="12" cy="12" r="2" />
      <circle cx="19" cy="12" r="2" />
    </svg>
  );
}

interface MemberActionsMenuProps {
  member: PartnerMember;
  actions: MemberAction[];
  onAction: (action: MemberAction) => void;
  disabled?: boolean;
}

/** The per-row menu: only what the partner's permissions allow for this member. */
export function MemberActionsMenu({ member, actions, onAction, disabled }: MemberActionsMenuProps) {
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${member.email}`} disabled={disabled}>
          <DotsIcon />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        {actions.map((action) => (
          <Menu.Item key={action} color={dangerous.has(action) ? 'red' : undefined} onClick={() => onAction(action)}>
            {labels[action]}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
