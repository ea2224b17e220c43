// The domain's words for who someone is and what state a thing is in. The database schema stores these
// values (src/db/schema.ts imports them from here); the domain owns them so its rules never reach up
// into the persistence layer for their own vocabulary.

export type WorkspaceMode = 'local' | 'idp';
export type WorkspaceRole = 'owner' | 'admin' | 'member' | 'guest';
export type UserKind = 'member' | 'guest';
export type UserStatus = 'invited' | 'active' | 'deactivated';

export type PartnerRole = 'host_admin' | 'guest_admin' | 'guest_user';
export type GuestRole = Exclude<PartnerRole, 'host_admin'>;
export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked';

export type MfaFactorKind = 'totp' | 'passkey';

export type DeviceKind = 'browser' | 'extension' | 'cli';
/** The client apps a workspace approves (SPEC §7a); the web app itself (`browser`) needs no approval. */
export type ClientAppKind = Exclude<DeviceKind, 'browser'>;
export type DeviceStatus = 'pending_verification' | 'pending_approval' | 'approved' | 'denied' | 'removed';

export type ItemRole = 'owner' | 'manager' | 'collaborator';
