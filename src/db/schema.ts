import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type {
  ClientAppKind,
  DeviceKind,
  DeviceStatus,
  GuestRole,
  InvitationState,
  ItemRole,
  MfaFactorKind,
  PartnerRole,
  UserKind,
  UserStatus,
  WorkspaceMode,
  WorkspaceRole,
} from '../domain/vocabulary.js';

// The vocabulary lives in the domain; re-exported so code that reads rows can name a column's type here.
export type {
  ClientAppKind,
  DeviceKind,
  DeviceStatus,
  GuestRole,
  InvitationState,
  ItemRole,
  MfaFactorKind,
  PartnerRole,
  UserKind,
  UserStatus,
  WorkspaceMode,
  WorkspaceRole,
};

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<Record<string, unknown>, string, string>;

export interface WorkspacesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  mode: WorkspaceMode;
  verified_domains: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
  invitation_ttl_hours: Generated<number>;
  password_min_length: Generated<number>;
  idp_issuer: string | null;
  idp_client_id: string | null;
  idp_redirect_seconds: Generated<number>;
  device_approval_days: Generated<number>;
  approved_client_apps: ColumnType<ClientAppKind[], ClientAppKind[] | undefined, ClientAppKind[]>;
  /** Just-in-time provisioning: an unknown person the IdP vouches for becomes a member (SPEC §2b). */
  idp_jit: Generated<boolean>;
  /** The OIDC client secret, sealed with the workspace data key; never returned by the API. */
  idp_client_secret_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** amr (or acr) values that count as the IdP's second factor; null: the default list (MFA_AMR_VALUES). */
  idp_mfa_values: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  /** How Gatehouse authenticates at the IdP's token endpoint. */
  idp_client_auth: ColumnType<OidcClientAuthentication, OidcClientAuthentication | undefined, OidcClientAuthentication>;
  /** The private_key_jwt signing key (private JWK), sealed with the workspace data key; never returned. */
  idp_signing_key_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its public JWK (JSON), published at /api/v1/oidc/{slug}/jwks. */
  idp_signing_public_jwk: ColumnType<string | null, string | null | undefined, string | null>;
  /** After Rotate key: the next signing key (sealed) and its public JWK, published now, used from `idp_signing_next_from`. */
  idp_signing_next_key_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  idp_signing_next_public_jwk: ColumnType<string | null, string | null | undefined, string | null>;
  idp_signing_next_from: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Which protocol an `idp` workspace's members sign in with (SPEC §2b). */
  idp_protocol: ColumnType<SsoProtocol, SsoProtocol | undefined, SsoProtocol>;
}

export type SsoProtocol = 'oidc' | 'saml';

export type OidcClientAuthentication = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** A person at the workspace's identity provider (issuer + sub), linked to one Gatehouse user. */
export interface UserIdentitiesTable {
  id: Generated<string>;
  user_id: string;
  workspace_id: string;
  issuer: string;
  subject: string;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
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
  /** **Guest access ends on**: from this moment the guest can do nothing (SPEC §8a). */
  access_ends_at: NullableTimestamp;
  access_end_warned_at: NullableTimestamp;
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
  /** When this session last passed a second factor (at sign-in or on enrolling); null before. */
  second_factor_at: NullableTimestamp;
  /** When the user last confirmed their identity with a second factor in this session (SPEC §5). */
  identity_confirmed_at: NullableTimestamp;
  webauthn_challenge: string | null;
  webauthn_challenge_expires_at: NullableTimestamp;
  /** A client app's session (issue 9): the device it connected as; it ends with that device. Null for the web app. */
  device_id: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The partner and the account the event is about (from its target or details), for scopes and filters. */
  partner_id: string | null;
  account_id: string | null;
  /** HMAC of what the event records, under a key derived from the workspace data key `key_id`. */
  mac: string | null;
  key_id: string | null;
  /** Set when the chaining step links the event (null until then, and for events not yet adopted). */
  chain_position: string | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface ActivityChainCheckpointsTable {
  workspace_id: string;
  position: string;
  hash: string;
  checked_at: Timestamp;
}

export type OutboxState = 'pending' | 'sent' | 'failed' | 'cancelled';

export interface PartnersTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  status: ColumnType<'active' | 'removed', 'active' | 'removed' | undefined, 'active' | 'removed'>;
  created_by: string | null;
  created_at: CreatedAt;
  removed_at: NullableTimestamp;
}

export interface PartnerMembersTable {
  partner_id: string;
  user_id: string;
  role: PartnerRole;
  added_at: CreatedAt;
}

export interface InvitationsTable {
  id: Generated<string>;
  workspace_id: string;
  /** The guest's partner; null for a member's invitation (SPEC §2a). */
  partner_id: string | null;
  user_id: string;
  invited_by: string | null;
  /** A guest role for a guest's invitation, admin or member for a member's. */
  role: GuestRole | MemberInvitationRole;
  state: ColumnType<InvitationState, InvitationState | undefined, InvitationState>;
  temp_password_hash: string | null;
  link_token_hash: string;
  expires_at: Timestamp;
  times_sent: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  accepted_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface OutboxTable {
  id: Generated<string>;
  workspace_id: string | null;
  invitation_id: string | null;
  kind: string;
  recipient: string;
  subject: string;
  sealed_body: string | null;
  state: ColumnType<OutboxState, OutboxState | undefined, OutboxState>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_until: NullableTimestamp;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: NullableTimestamp;
}

export interface TermsVersionsTable {
  id: Generated<string>;
  workspace_id: string;
  version: number;
  body: string;
  body_sha256: string;
  published_by: string | null;
  published_at: CreatedAt;
}

export interface TermsAcceptancesTable {
  id: Generated<string>;
  user_id: string;
  terms_version_id: string;
  body_sha256: string;
  accepted_at: CreatedAt;
  ip: string | null;
  user_agent: string | null;
}

export interface OidcRequestsTable {
  state_hash: string;
  workspace_id: string;
  nonce: string;
  code_verifier: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface MfaFactorsTable {
  id: Generated<string>;
  user_id: string;
  kind: MfaFactorKind;
  name: string;
  totp_sealed_secret: string | null;
  /** The RFC 6238 step of the last accepted code: no code at or before it is accepted again. */
  totp_last_step: ColumnType<string | null, number | string | null | undefined, number | string | null>;
  credential_id: string | null;
  public_key: string | null;
  sign_count: ColumnType<string, number | string | undefined, number | string>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  /** Null while a TOTP enrolment waits for its first code. */
  confirmed_at: NullableTimestamp;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
}

export interface RecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  created_at: CreatedAt;
  used_at: NullableTimestamp;
}

export interface DevicesTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  name: string;
  kind: ColumnType<DeviceKind, DeviceKind | undefined, DeviceKind>;
  status: DeviceStatus;
  secret_hash: string;
  approved_until: NullableTimestamp;
  code_hash: string | null;
  code_expires_at: NullableTimestamp;
  code_attempts: Generated<number>;
  decided_by_device_id: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  removed_at: NullableTimestamp;
  last_seen_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export type ConnectRequestStatus = 'pending' | 'approved' | 'denied' | 'consumed';

/** A client app asking to connect (RFC 8628 device authorization grant), until it is consumed or runs out. */
export interface ConnectRequestsTable {
  id: Generated<string>;
  device_code_hash: string;
  user_code_hash: string;
  kind: 'extension' | 'cli';
  status: ColumnType<ConnectRequestStatus, ConnectRequestStatus | undefined, ConnectRequestStatus>;
  denial_reason: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  interval_s: number;
  last_polled_at: NullableTimestamp;
  client_ip: string | null;
  client_user_agent: string | null;
  workspace_id: string | null;
  user_id: string | null;
  device_id: string | null;
  decided_at: NullableTimestamp;
}

export interface RateLimitsTable {
  key: string;
  points: number;
  expire: string | null;
}

export interface WorkspaceKeysTable {
  id: Generated<string>;
  workspace_id: string;
  created_at: CreatedAt;
  retired_at: NullableTimestamp;
}

export interface WorkspaceKeyWrapsTable {
  workspace_key_id: string;
  master_key_id: string;
  wrapped_key: string;
  created_at: CreatedAt;
}

export interface AccountsTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  app_name: string;
  login_url: string | null;
  username_sealed: string | null;
  password_sealed: string | null;
  totp_secret_sealed: string | null;
  notes_sealed: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  deleted_at: NullableTimestamp;
}

export interface GrantsTable {
  id: Generated<string>;
  account_id: string;
  user_id: string | null;
  partner_id: string | null;
  role: ItemRole;
  granted_by: string | null;
  parent_grant_id: string | null;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
  /** **Access until**: from this moment the grant gives nothing (SPEC §8a). */
  expires_at: NullableTimestamp;
  expiry_warned_at: NullableTimestamp;
}

export type MemberInvitationRole = 'admin' | 'member';

export interface PasswordResetsTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  requested_ip: string | null;
}

export interface EmailChangesTable {
  id: Generated<string>;
  workspace_id: string;
  user_id: string;
  new_email: string;
  requested_by: string | null;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  confirmed_at: NullableTimestamp;
  cancelled_at: NullableTimestamp;
}

/** **Review access** (SPEC §8a): one review of a partner's guests and grants. */
export interface AccessReviewsTable {
  id: Generated<string>;
  workspace_id: string;
  /** What is under review: a partner (its host admins review it) or an account (its owners); exactly one. */
  partner_id: string | null;
  account_id: string | null;
  status: ColumnType<AccessReviewStatus, AccessReviewStatus | undefined, AccessReviewStatus>;
  started_by: string | null;
  started_at: CreatedAt;
  closed_at: NullableTimestamp;
}

export type AccessReviewStatus = 'open' | 'closed';
export type AccessReviewDecision = 'keep' | 'remove';

/** A guest or a grant as it stood when the review started, and what was decided about it. */
export interface AccessReviewItemsTable {
  id: Generated<string>;
  review_id: string;
  position: number;
  kind: 'guest' | 'grant';
  /** The guest; for a grant, the guest it was given to (null for the partner's own share). */
  user_id: string | null;
  account_id: string | null;
  /** For a partner share in an account review, the partner it was given to. */
  partner_id: string | null;
  grant_id: string | null;
  role: string;
  granted_by: string | null;
  last_used_at: NullableTimestamp;
  /** The grant's **Access until** when the review started (account reviews). */
  access_until: NullableTimestamp;
  decision: AccessReviewDecision | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  /** Set when this access ended with another item's **Remove** (a guest's grants end with the guest). */
  ended_by_item_id: string | null;
}

/** A partner's review schedule: every 30, 90 or 180 days; due_at is when the next review is due. */
export interface AccessReviewSchedulesTable {
  partner_id: string;
  workspace_id: string;
  interval_days: number;
  due_at: Timestamp;
  reminded_at: NullableTimestamp;
  updated_by: string | null;
  updated_at: Timestamp;
}

/** A person's choice for one notification kind (SPEC §8a); no row means on. */
export interface NotificationPreferencesTable {
  user_id: string;
  kind: string;
  enabled: boolean;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A bearer token the identity provider's SCIM client uses (SPEC §2b); only its SHA-256 is kept. */
export interface ScimTokensTable {
  id: Generated<string>;
  workspace_id: string;
  name: string;
  token_hash: string;
  created_by: string | null;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

/** What SCIM knows of a member beyond the users row: the IdP's id for them, and whether the IdP deleted them. */
export interface ScimUsersTable {
  user_id: string;
  workspace_id: string;
  external_id: string | null;
  deleted_at: NullableTimestamp;
}

/** The workspace's SAML 2.0 identity provider: the pasted metadata and what was parsed from it. */
export interface WorkspaceSamlTable {
  workspace_id: string;
  metadata_xml: string;
  idp_entity_id: string;
  idp_sso_url: string;
  /** PEM signing certificates (more than one while the IdP rolls its key over). */
  idp_certificates: ColumnType<string[], string[], string[]>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** An AuthnRequest Gatehouse sent, until its answer comes back (InResponseTo). */
export interface SamlRequestsTable {
  id: string;
  workspace_id: string;
  created_at: ColumnType<Date, Date, Date>;
  expires_at: ColumnType<Date, Date, Date>;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Assertion IDs already accepted: each is accepted once (replay protection). */
export interface SamlConsumedAssertionsTable {
  id: string;
  workspace_id: string;
  expires_at: ColumnType<Date, Date, Date>;
}

export interface Database {
  workspaces: WorkspacesTable;
  users: UsersTable;
  sessions: SessionsTable;
  activity_events: ActivityEventsTable;
  activity_chain_checkpoints: ActivityChainCheckpointsTable;
  partners: PartnersTable;
  partner_members: PartnerMembersTable;
  invitations: InvitationsTable;
  outbox: OutboxTable;
  terms_versions: TermsVersionsTable;
  terms_acceptances: TermsAcceptancesTable;
  oidc_requests: OidcRequestsTable;
  mfa_factors: MfaFactorsTable;
  recovery_codes: RecoveryCodesTable;
  devices: DevicesTable;
  connect_requests: ConnectRequestsTable;
  rate_limits: RateLimitsTable;
  workspace_keys: WorkspaceKeysTable;
  workspace_key_wraps: WorkspaceKeyWrapsTable;
  accounts: AccountsTable;
  grants: GrantsTable;
  password_resets: PasswordResetsTable;
  email_changes: EmailChangesTable;
  user_identities: UserIdentitiesTable;
  access_reviews: AccessReviewsTable;
  access_review_items: AccessReviewItemsTable;
  access_review_schedules: AccessReviewSchedulesTable;
  notification_preferences: NotificationPreferencesTable;
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  workspace_saml: WorkspaceSamlTable;
  saml_requests: SamlRequestsTable;
  saml_consumed_assertions: SamlConsumedAssertionsTable;
}

export type Workspace = Selectable<WorkspacesTable>;
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type Session = Selectable<SessionsTable>;
export type ConnectRequest = Selectable<ConnectRequestsTable>;
export type ActivityEvent = Selectable<ActivityEventsTable>;
export type Partner = Selectable<PartnersTable>;
export type Invitation = Selectable<InvitationsTable>;
export type OutboxMessage = Selectable<OutboxTable>;
export type MfaFactor = Selectable<MfaFactorsTable>;
export type Device = Selectable<DevicesTable>;
export type Account = Selectable<AccountsTable>;
export type Grant = Selectable<GrantsTable>;
