import { createHmac, randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { ClientAppKind, ConnectRequest, Database } from '../db/schema.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { RequestContext } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import { clientAppIsApproved, clientAppName } from '../domain/client-apps.js';
import {
  CONNECT_POLL_INTERVAL_S,
  CONNECT_REQUEST_TTL_MS,
  formatUserCode,
  newUserCode,
  normalizeUserCode,
  pollOutcome,
  type PollError,
} from '../domain/connect.js';
import { approvalExpiry, suggestDeviceName } from '../domain/devices.js';
import { AppError } from '../domain/errors.js';
import { deriveKey } from '../crypto/seal.js';
import { hashToken, randomToken } from '../crypto/tokens.js';
import { recordEvent } from './activity.js';
import { approvedClientApps, clientAppNotApproved } from './client-apps.js';
import { insertDevice } from './devices/create-device.js';
import { toCurrentDeviceView, type CurrentDeviceView } from './devices/device-views.js';
import { issueCode } from './devices/send-code.js';
import { approvalDays, deviceEvent, liveDeviceNames, type DeviceDeps } from './devices/shared.js';
import { queueDeviceTrustedMail } from './devices/trusted-mail.js';
import type { AuthenticatedSession } from './sessions/authenticated-session.js';
import { openSession } from './sessions/open-session.js';

/**
 * Connecting a client app (SPEC §7a, issue 9), after RFC 8628. The client starts a request and gets a
 * device code (its secret) and a user code (for the person); the person, signed in to the web app,
 * approves or denies it at /app/connect; the client polls with the device code and, once approved,
 * receives its own session and device secret, once. The device is created at approval, with the
 * approver's trust: approved when a trusted session approves it, otherwise waiting for the emailed code
 * (SPEC §6). The session is bound to that device and ends with it.
 */

/** Starting requests per client address, and user-code lookups or decisions per person, per window. */
export const CONNECT_STARTS_PER_ADDRESS = 20;
export const CONNECT_LOOKUPS_PER_USER = 20;
export const CONNECT_LIMIT_WINDOW_MS = 10 * 60 * 1000;
/** How long a used-up or expired connect request is kept after its expiry. */
const STALE_CONNECT_REQUEST_MS = 24 * 60 * 60 * 1000;

export interface StartedConnect {
  deviceCode: string;
  userCode: string;
  expiresIn: number;
  interval: number;
}

export interface ConnectRequestView {
  userCode: string;
  kind: ClientAppKind;
  clientAppName: string;
  /** The name the device will get, unique among the person's devices. */
  deviceName: string;
  expiresAt: string;
  /** The workspace approves this kind of client app: otherwise the page says so and offers only Deny. */
  clientAppApproved: boolean;
  /** Approving from this session makes the device trusted at once; otherwise it waits for an emailed code. */
  approvesAtOnce: boolean;
}

export interface ConnectedClient {
  sessionToken: string;
  deviceSecret: string;
  device: CurrentDeviceView;
  user: { username: string; displayName: string | null };
  workspace: { slug: string; name: string };
}

// ----- problems ---------------------------------------------------------------------------------------

const POLL_DETAILS: Record<PollError, string> = {
  authorization_pending: 'Waiting for the person to approve this connection at /app/connect.',
  slow_down: 'Polling too fast: wait the given interval between requests.',
  expired_token: 'The code expired before it was approved. Start connecting again.',
  access_denied: 'The connection was denied. Start connecting again if this was a mistake.',
  invalid_grant: 'This connect request is unknown or was already used. Start connecting again.',
};

const pollError = (error: PollError, intervalS: number, detail = POLL_DETAILS[error]) => {
  const problem = new AppError(error.replace('_', '-'), 400, 'Not connected yet', detail);
  problem.extensions = { error, interval: intervalS };
  return problem;
};

const requestNotFound = () =>
  new AppError(
    'connect-request-not-found',
    404,
    'Code not found',
    'This code is not valid, was already used, or has expired. Start connecting again from the client app.',
  );

const DENIAL_DETAILS: Record<string, (kind: ClientAppKind) => string> = {
  denied: () => 'The connection was denied. Start connecting again if this was a mistake.',
  client_app_not_approved: (kind) =>
    `Your workspace does not approve the ${clientAppName(kind)}. A workspace admin can approve it under Workspace settings, in Approved client apps.`,
  device_gone: () =>
    'The device this connection created was removed or denied before the client app picked it up. Start connecting again.',
  user_gone: () => 'The person who approved this connection can no longer sign in.',
};

// ----- helpers ----------------------------------------------------------------------------------------

/** Device and user codes are stored keyed by the master key: a database dump cannot be used to connect. */
function codeHash(masterKey: Buffer, purpose: 'device' | 'user', code: string): string {
  return createHmac('sha256', deriveKey(masterKey, `connect-${purpose}-code`))
    .update(code)
    .digest('base64url');
}

async function findPendingByUserCode(
  db: Kysely<Database>,
  masterKey: Buffer,
  now: number,
  typed: string,
  lock: boolean,
): Promise<ConnectRequest> {
  const code = normalizeUserCode(typed);
  if (!code) throw requestNotFound();
  let query = db
    .selectFrom('connect_requests')
    .selectAll()
    .where('user_code_hash', '=', codeHash(masterKey, 'user', code))
    .where('status', '=', 'pending')
    .where('expires_at', '>', new Date(now));
  if (lock) query = query.forUpdate();
  const request = await query.executeTakeFirst();
  if (!request) throw requestNotFound();
  return request;
}

const actorOf = (session: AuthenticatedSession) => ({ workspaceId: session.workspace.id, actorId: session.user.id });

// ----- use cases --------------------------------------------------------------------------------------

/** RFC 8628 §3.1–3.2: a client app asks to connect. Nobody is signed in yet, so it has no workspace. */
export async function startConnect(
  tx: Kysely<Database>,
  deps: { masterKey: Buffer; clock: Clock },
  kind: ClientAppKind,
  context: RequestContext,
): Promise<StartedConnect> {
  const deviceCode = randomToken();
  const now = deps.clock.now();
  // Requests are kept a day past their expiry, for the record; each start clears older ones.
  await tx
    .deleteFrom('connect_requests')
    .where('expires_at', '<', new Date(now - STALE_CONNECT_REQUEST_MS))
    .execute();
  // A user code is unique among pending requests (an index says so); a clash, one in billions, retries.
  for (let attempt = 0; ; attempt++) {
    const userCode = newUserCode(randomInt);
    const inserted = await tx
      .insertInto('connect_requests')
      .values({
        device_code_hash: codeHash(deps.masterKey, 'device', deviceCode),
        user_code_hash: codeHash(deps.masterKey, 'user', normalizeUserCode(userCode)!),
        kind,
        expires_at: new Date(now + CONNECT_REQUEST_TTL_MS),
        interval_s: CONNECT_POLL_INTERVAL_S,
        client_ip: context.ip,
        client_user_agent: context.userAgent,
      })
      .onConflict((conflict) => conflict.column('user_code_hash').where('status', '=', 'pending').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) {
      return {
        deviceCode,
        userCode,
        expiresIn: CONNECT_REQUEST_TTL_MS / 1000,
        interval: CONNECT_POLL_INTERVAL_S,
      };
    }
    if (attempt >= 5) throw new Error('Could not find a free user code.');
  }
}

/** What /app/connect shows for a code: the client app, the device name it will get, and what Approve does. */
export async function viewConnectRequest(
  db: Kysely<Database>,
  deps: { masterKey: Buffer; clock: Clock },
  session: AuthenticatedSession,
  userCode: string,
): Promise<ConnectRequestView> {
  const request = await findPendingByUserCode(db, deps.masterKey, deps.clock.now(), userCode, false);
  const approved = await approvedClientApps(db, session.workspace.id);
  return {
    userCode: formatUserCode(normalizeUserCode(userCode)!),
    kind: request.kind,
    clientAppName: clientAppName(request.kind),
    deviceName: suggestDeviceName(
      session.user.username,
      request.client_user_agent,
      await liveDeviceNames(db, session.user.id),
      request.kind,
    ),
    expiresAt: request.expires_at.toISOString(),
    clientAppApproved: clientAppIsApproved(request.kind, approved),
    approvesAtOnce: session.assurance.trusted,
  };
}

export type ConnectDecision = { decision: 'approve'; deviceName: string } | { decision: 'deny' };

export type DecisionResult = { ok: true; device: CurrentDeviceView | null } | { ok: false; refusal: AppError };

/**
 * **Approve** / **Deny** at /app/connect. Approving creates the device (SPEC §6's limits and name rule
 * apply): approved at once from a trusted session, otherwise waiting for the code mailed to the person.
 * A kind the workspace does not approve is refused, and the request is ended so the client hears why;
 * that refusal is returned rather than thrown so that it commits.
 */
export async function decideConnect(
  tx: Kysely<Database>,
  deps: DeviceDeps,
  session: AuthenticatedSession,
  userCode: string,
  input: ConnectDecision,
  context: RequestContext,
): Promise<DecisionResult> {
  const now = deps.clock.now();
  const request = await findPendingByUserCode(tx, deps.masterKey, now, userCode, true);
  const end = async (status: 'denied' | 'approved', extra: { denial_reason?: string; device_id?: string }) =>
    tx
      .updateTable('connect_requests')
      .set({
        status,
        workspace_id: session.workspace.id,
        user_id: session.user.id,
        decided_at: new Date(now),
        ...extra,
      })
      .where('id', '=', request.id)
      .execute();
  const eventDetails = { kind: request.kind, clientIp: request.client_ip };

  const kindApproved = clientAppIsApproved(request.kind, await approvedClientApps(tx, session.workspace.id));
  if (input.decision === 'deny') {
    // Denying a kind the workspace does not approve (the page offers nothing else) tells the client why.
    await end('denied', { denial_reason: kindApproved ? 'denied' : 'client_app_not_approved' });
    await recordEvent(tx, {
      ...actorOf(session),
      action: 'client_app.connect_denied',
      context,
      details: eventDetails,
    });
    return { ok: true, device: null };
  }

  if (!kindApproved) {
    await end('denied', { denial_reason: 'client_app_not_approved' });
    await recordEvent(tx, {
      ...actorOf(session),
      action: 'client_app.connect_refused',
      context,
      details: { ...eventDetails, reason: 'client_app_not_approved' },
    });
    return { ok: false, refusal: clientAppNotApproved(request.kind) };
  }

  // One registration at a time per user, so that the device limit and the name rule hold.
  await tx.selectFrom('users').select('id').where('id', '=', session.user.id).forUpdate().execute();
  const approver = session.assurance.trusted ? session.assurance.device : null;
  const approvedUntil = approver ? approvalExpiry(now, await approvalDays(tx, session.workspace.id)) : undefined;
  // The client's own secret is made when it picks the connection up; until then nothing can present it.
  const device = await insertDevice(
    tx,
    { workspaceId: session.workspace.id, userId: session.user.id, name: input.deviceName, kind: request.kind },
    {
      status: approver ? 'approved' : 'pending_verification',
      secretHash: hashToken(randomToken()),
      now,
      context: { ip: request.client_ip, userAgent: request.client_user_agent },
      ...(approver ? { approvedUntil, decidedByDeviceId: approver.id } : {}),
    },
  );
  await end('approved', { device_id: device.id });
  await recordEvent(
    tx,
    deviceEvent(actorOf(session), context, 'device.created', device, {
      kind: device.kind,
      status: device.status,
      via: 'connect',
    }),
  );
  if (approver) {
    await recordEvent(
      tx,
      deviceEvent(actorOf(session), context, 'device.approved', device, {
        byDeviceId: approver.id,
        byDeviceName: approver.name,
        approvedUntil: approvedUntil!.toISOString(),
        via: 'connect',
      }),
    );
    await queueDeviceTrustedMail(tx, deps, device);
  } else {
    await issueCode(tx, session, device, deps, context);
  }
  const saved = await tx.selectFrom('devices').selectAll().where('id', '=', device.id).executeTakeFirstOrThrow();
  return { ok: true, device: toCurrentDeviceView(saved, now) };
}

export type PollResult = { ok: true; connected: ConnectedClient } | { ok: false; refusal: AppError };

/**
 * RFC 8628 §3.4–3.5: the client polls with its device code. Every poll is written (its time, a slower
 * interval), so it returns refusals for the caller to throw after the commit. Once approved, the client
 * gets a new session bound to its device and the device's secret, exactly once.
 */
export async function pollConnect(
  unitOfWork: UnitOfWork,
  deps: { masterKey: Buffer; clock: Clock },
  deviceCode: string,
  context: RequestContext,
): Promise<ConnectedClient> {
  const result = await unitOfWork.run((tx) => pollInTransaction(tx, deps, deviceCode, context));
  if (!result.ok) throw result.refusal;
  return result.connected;
}

async function pollInTransaction(
  tx: Kysely<Database>,
  deps: { masterKey: Buffer; clock: Clock },
  deviceCode: string,
  context: RequestContext,
): Promise<PollResult> {
  const now = deps.clock.now();
  const request = await tx
    .selectFrom('connect_requests')
    .selectAll()
    .where('device_code_hash', '=', codeHash(deps.masterKey, 'device', deviceCode))
    .forUpdate()
    .executeTakeFirst();
  if (!request) return { ok: false, refusal: pollError('invalid_grant', CONNECT_POLL_INTERVAL_S) };
  const outcome = pollOutcome(
    {
      status: request.status,
      expiresAt: request.expires_at.getTime(),
      intervalS: request.interval_s,
      lastPolledAt: request.last_polled_at?.getTime() ?? null,
    },
    now,
  );
  await tx
    .updateTable('connect_requests')
    .set({ last_polled_at: new Date(now), interval_s: outcome.ok ? request.interval_s : outcome.intervalS })
    .where('id', '=', request.id)
    .execute();
  if (!outcome.ok) {
    const denial = outcome.error === 'access_denied' ? DENIAL_DETAILS[request.denial_reason ?? 'denied'] : undefined;
    return {
      ok: false,
      refusal: pollError(outcome.error, outcome.intervalS, denial?.(request.kind)),
    };
  }
  return handOver(tx, deps, request, context);
}

/** The approved request becomes the client's session and device secret; the request is used up. */
async function handOver(
  tx: Kysely<Database>,
  deps: { masterKey: Buffer; clock: Clock },
  request: ConnectRequest,
  context: RequestContext,
): Promise<PollResult> {
  const now = deps.clock.now();
  const found = await tx
    .selectFrom('devices as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .innerJoin('workspaces as w', 'w.id', 'd.workspace_id')
    .selectAll('d')
    .select([
      'u.username',
      'u.display_name',
      'u.status as user_status',
      'w.slug as w_slug',
      'w.name as w_name',
      'w.approved_client_apps',
    ])
    .where('d.id', '=', request.device_id!)
    .executeTakeFirst();
  const refuse = async (reason: string) => {
    await tx
      .updateTable('connect_requests')
      .set({ status: 'denied', denial_reason: reason })
      .where('id', '=', request.id)
      .execute();
    return {
      ok: false as const,
      refusal: pollError('access_denied', request.interval_s, DENIAL_DETAILS[reason]!(request.kind)),
    };
  };
  if (!found || found.status === 'removed' || found.status === 'denied') return refuse('device_gone');
  if (found.user_status !== 'active') return refuse('user_gone');
  if (!clientAppIsApproved(request.kind, found.approved_client_apps)) return refuse('client_app_not_approved');

  const deviceSecret = randomToken();
  await tx
    .updateTable('devices')
    .set({ secret_hash: hashToken(deviceSecret), last_seen_at: new Date(now), updated_at: sql`now()` })
    .where('id', '=', found.id)
    .execute();
  const sessionToken = await openSession(tx, deps.clock, found.user_id, found.workspace_id, context, {
    deviceId: found.id,
    // The person passed their second factor in the session that approved this one.
    secondFactorPassed: true,
  });
  await tx.updateTable('connect_requests').set({ status: 'consumed' }).where('id', '=', request.id).execute();
  await recordEvent(
    tx,
    deviceEvent({ workspaceId: found.workspace_id, actorId: found.user_id }, context, 'client_app.connected', found, {
      kind: found.kind,
    }),
  );
  const {
    username,
    display_name,
    user_status: _userStatus,
    w_slug,
    w_name,
    approved_client_apps: _apps,
    ...device
  } = found;
  return {
    ok: true,
    connected: {
      sessionToken,
      deviceSecret,
      device: toCurrentDeviceView(device, now),
      user: { username, displayName: display_name },
      workspace: { slug: w_slug, name: w_name },
    },
  };
}
