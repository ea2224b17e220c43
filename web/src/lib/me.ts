import { createContext, use } from 'react';
import type { Me } from '../api';

/** The signed-in user; AppLayout provides it to every page it renders. */
export const MeContext = createContext<Me | null>(null);

/** The signed-in user, for pages rendered inside AppLayout. */
export function useMe(): Me {
  const me = use(MeContext);
  if (!me) throw new Error('useMe() is only available inside AppLayout');
  return me;
}

export function isWorkspaceAdmin(me: Me): boolean {
  return me.user.role === 'owner' || me.user.role === 'admin';
}
