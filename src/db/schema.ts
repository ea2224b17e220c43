import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<Record<string, unknown>, string, string>;

export type WorkspaceMode = 'local' | 'idp';
export type WorkspaceRole = 'owner' | 'admin' | 'member' | 'guest';
export type UserKind = 'member' | 'guest';
export type UserStatus = 'invited' | 'active' | 'deactivated';

export interface WorkspacesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  mode: WorkspaceMode;
  verified_domains: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<string>;
  workspace_id: string;
  email: string;
  username: string;
  display_name: string;
  given_name: string | null;
  family_name: string | null;
  kind: UserKind;
  role: WorkspaceRole;
  status: UserStatus;
  password_hash: string | null;
  must_change_password: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  token_hash: string;
  user_id: string;
  workspace_id: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  ended_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface ActivityEventsTable {
  seq: Generated<string>;
  id: Generated<string>;
  workspace_id: string;
  occurred_at: CreatedAt;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Json;
  prev_hash: string;
  hash: string;
}

export interface Database {
  workspaces: WorkspacesTable;
  users: UsersTable;
  sessions: SessionsTable;
  activity_events: ActivityEventsTable;
}

export type Workspace = Selectable<WorkspacesTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type ActivityEvent = Selectable<ActivityEventsTable>;
