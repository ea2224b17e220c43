import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Actor } from '../domain/actor.js';
import { activityGroup, describeEvent, GROUP_ACTIONS, type ActivityGroup } from '../domain/activity-events.js';
import { invalid } from '../domain/errors.js';
import { activityPolicy } from '../domain/policies/activity.js';
import type { Database } from '../db/schema.js';

/**
 * The Activity page and its CSV export (SPEC §8): events in people's words, scoped to what the person
 * may see, filtered, newest first, paged by cursor (a keyset on `seq`, so the millionth page costs what
 * the first does).
 */

export interface ActivityFilters {
  from?: Date;
  to?: Date;
  groups?: ActivityGroup[];
  /** Events by or about this person. */
  personId?: string;
  accountId?: string;
  partnerId?: string;
}

export interface ActivityEntry {
  id: string;
  occurredAt: string;
  action: string;
  group: ActivityGroup | null;
  summary: string;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  targetName: string | null;
  partnerId: string | null;
  partnerName: string | null;
  accountId: string | null;
  accountName: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

export interface ActivityPage {
  events: ActivityEntry[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

type Scoped = ExpressionBuilder<Database & { e: Database['activity_events'] }, 'e'>;

/** The guests of the partners `userId` is host admin of. */
function guestsHostedBy(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('partner_members as guest')
    .innerJoin('partner_members as host', 'host.partner_id', 'guest.partner_id')
    .select('guest.user_id')
    .distinct()
    .where('host.user_id', '=', userId)
    .where('host.role', '=', 'host_admin')
    .where('guest.role', '<>', 'host_admin');
}

function groupCondition(eb: Scoped, groups: ActivityGroup[]) {
  return eb.or(
    groups.map((group) => {
      const { prefixes, actions, except } = GROUP_ACTIONS[group];
      const matches = [
        ...prefixes.map((prefix) => eb('e.action', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`)),
        ...(actions.length > 0 ? [eb('e.action', 'in', actions)] : []),
      ];
      const any = eb.or(matches);
      return except && except.length > 0 ? eb.and([any, eb('e.action', 'not in', except)]) : any;
    }),
  );
}

const encodeCursor = (seq: string) => Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^seq:(\d{1,19})$/.exec(text);
  if (!match)
    throw invalid('bad-cursor', 'This page link is broken: start again from the newest events.', [
      { path: 'cursor', message: 'Not a cursor this server gave out.' },
    ]);
  return match[1]!;
}

/** A member's five branches as one condition on an event: for pages already narrowed to one key's events. */
function memberScope(eb: Scoped, db: Kysely<Database>, me: string) {
  const hostedGuests = guestsHostedBy(db, me);
  return eb.or([
    eb('e.actor_id', '=', me),
    eb(
      'e.account_id',
      'in',
      db.selectFrom('grants').select('account_id').where('user_id', '=', me).where('role', '=', 'owner'),
    ),
    eb(
      'e.partner_id',
      'in',
      db.selectFrom('partner_members').select('partner_id').where('user_id', '=', me).where('role', '=', 'host_admin'),
    ),
    eb('e.actor_id', 'in', hostedGuests),
    eb.and([eb('e.target_type', '=', 'user'), eb('e.target_id', 'in', hostedGuests)]),
  ]);
}

/** The workspace's events that match `filters`, older than `beforeSeq`: what every scope narrows. */
function matching(db: Kysely<Database>, actor: Actor, filters: ActivityFilters, beforeSeq: string | undefined) {
  let query = db.selectFrom('activity_events as e').where('e.workspace_id', '=', actor.workspaceId);
  if (beforeSeq) query = query.where('e.seq', '<', beforeSeq);
  if (filters.from) query = query.where('e.occurred_at', '>=', filters.from);
  if (filters.to) query = query.where('e.occurred_at', '<', filters.to);
  if (filters.groups && filters.groups.length > 0) {
    const groups = filters.groups;
    query = query.where((eb) => groupCondition(eb, groups));
  }
  if (filters.personId) {
    const personId = filters.personId;
    query = query.where((eb) =>
      eb.or([
        eb('e.actor_id', '=', personId),
        eb.and([eb('e.target_type', '=', 'user'), eb('e.target_id', '=', personId)]),
        eb(sql`e.details->>'userId'`, '=', personId),
      ]),
    );
  }
  if (filters.accountId) query = query.where('e.account_id', '=', filters.accountId);
  if (filters.partnerId) query = query.where('e.partner_id', '=', filters.partnerId);
  return query;
}

type Matching = ReturnType<typeof matching>;

/**
 * The `seq`s of the next `limit` events `actor` may see, newest first. A member's scope (SPEC §8) is five
 * branches: their own events, and those on each account they own, about each partner they host, by and
 * about each guest of those partners. Tested as one `OR`, PostgreSQL walks the log newest first and tests
 * every event (a million for a member with nothing to see); here each branch reads, for each of its keys,
 * the newest `limit` events from that key's own index (a `LATERAL` join), and the page is the newest
 * `limit` of those: a few index probes per key, whatever the log's size (docs/performance.md).
 */
function pageSeqs(
  db: Kysely<Database>,
  actor: Actor,
  filters: ActivityFilters,
  beforeSeq: string | undefined,
  limit: number,
) {
  const newest = (query: Matching) => query.select('e.seq').orderBy('e.seq', 'desc').limit(limit);
  const events = () => matching(db, actor, filters, beforeSeq);
  const scope = activityPolicy.scope(actor);
  if (scope === 'workspace') return newest(events());
  if (scope === 'own') return newest(events().where('e.actor_id', '=', actor.userId));
  const me = actor.userId;
  // Narrowed to one account or partner (its Activity tab), that key's index already bounds what is read:
  // its events, newest first, each tested against the member's branches.
  if (filters.accountId || filters.partnerId) return newest(events().where((eb) => memberScope(eb, db, me)));
  /** The newest `limit` events whose `column` is the outer row's `key`, read from that column's index. */
  const byKey = (
    query: Matching,
    column: 'e.account_id' | 'e.partner_id' | 'e.actor_id' | 'e.target_id',
    key: string,
  ) => newest(query.where(column, '=', sql.ref<string>(key))).as('b');
  const own = db.selectFrom(newest(events().where('e.actor_id', '=', me)).as('b')).select('b.seq');
  const ownedAccounts = db
    .selectFrom('grants as g')
    .innerJoinLateral(byKey(events(), 'e.account_id', 'g.account_id'), (join) => join.onTrue())
    .select('b.seq')
    .where('g.user_id', '=', me)
    .where('g.role', '=', 'owner');
  const hostedPartners = db
    .selectFrom('partner_members as pm')
    .innerJoinLateral(byKey(events(), 'e.partner_id', 'pm.partner_id'), (join) => join.onTrue())
    .select('b.seq')
    .where('pm.user_id', '=', me)
    .where('pm.role', '=', 'host_admin');
  const byGuests = db
    .selectFrom(guestsHostedBy(db, me).as('guest'))
    .innerJoinLateral(byKey(events(), 'e.actor_id', 'guest.user_id'), (join) => join.onTrue())
    .select('b.seq');
  const aboutGuests = db
    .selectFrom(guestsHostedBy(db, me).as('guest'))
    .innerJoinLateral(byKey(events().where('e.target_type', '=', 'user'), 'e.target_id', 'guest.user_id'), (join) =>
      join.onTrue(),
    )
    .select('b.seq');
  const any = own.unionAll(ownedAccounts).unionAll(hostedPartners).unionAll(byGuests).unionAll(aboutGuests);
  return db.selectFrom(any.as('u')).select('u.seq').distinct().orderBy('u.seq', 'desc').limit(limit);
}

/** A page of the events `actor` may see that match `filters`, newest first, with the names its sentences need. */
function scopedPage(
  db: Kysely<Database>,
  actor: Actor,
  filters: ActivityFilters,
  beforeSeq: string | undefined,
  limit: number,
) {
  return db
    .selectFrom(pageSeqs(db, actor, filters, beforeSeq, limit).as('page'))
    .innerJoin('activity_events as e', 'e.seq', 'page.seq')
    .leftJoin('users as actor', 'actor.id', 'e.actor_id')
    .leftJoin('users as target', (join) => join.onRef('target.id', '=', 'e.target_id').on('e.target_type', '=', 'user'))
    .leftJoin('users as subject', (join) =>
      join
        .on(sql`subject.id::text`, '=', sql`e.details->>'userId'`)
        .onRef('subject.workspace_id', '=', 'e.workspace_id'),
    )
    .leftJoin('accounts as account', 'account.id', 'e.account_id')
    .leftJoin('partners as partner', 'partner.id', 'e.partner_id')
    .select([
      'e.seq',
      'e.id',
      'e.occurred_at',
      'e.action',
      'e.actor_id',
      'actor.display_name as actor_name',
      'actor.email as actor_email',
      'e.target_type',
      'e.target_id',
      'target.display_name as target_name',
      'subject.display_name as subject_name',
      'e.partner_id',
      'partner.name as partner_name',
      'e.account_id',
      'account.name as account_name',
      'e.ip',
      'e.user_agent',
      'e.details',
    ])
    .orderBy('e.seq', 'desc');
}

type Row = Awaited<ReturnType<ReturnType<typeof scopedPage>['execute']>>[number];

function toEntry(row: Row): ActivityEntry {
  const details = (row.details ?? {}) as Record<string, unknown>;
  const targetName =
    row.target_name ??
    (row.target_type === 'account' ? row.account_name : row.target_type === 'partner' ? row.partner_name : null);
  return {
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    action: row.action,
    group: activityGroup(row.action),
    summary: describeEvent({
      action: row.action,
      actorName: row.actor_name,
      targetType: row.target_type,
      targetName,
      partnerName: row.partner_name,
      accountName: row.account_name,
      subjectName: row.subject_name,
      details,
    }),
    actorId: row.actor_id,
    actorName: row.actor_name,
    actorEmail: row.actor_email,
    targetType: row.target_type,
    targetId: row.target_id,
    targetName,
    partnerId: row.partner_id,
    partnerName: row.partner_name,
    accountId: row.account_id,
    accountName: row.account_name,
    ip: row.ip,
    userAgent: row.user_agent,
    details,
  };
}

export async function queryActivity(
  db: Kysely<Database>,
  actor: Actor,
  filters: ActivityFilters,
  page: { cursor?: string; limit: number },
): Promise<ActivityPage> {
  const beforeSeq = page.cursor ? decodeCursor(page.cursor) : undefined;
  const rows = await scopedPage(db, actor, filters, beforeSeq, page.limit + 1).execute();
  const shown = rows.slice(0, page.limit);
  return {
    events: shown.map(toEntry),
    nextCursor: rows.length > page.limit ? encodeCursor(shown.at(-1)!.seq) : null,
  };
}

/** Every matching event, newest first, read in batches so memory stays flat however many there are. */
export async function* allActivity(
  db: Kysely<Database>,
  actor: Actor,
  filters: ActivityFilters,
  batchSize = 1000,
): AsyncGenerator<ActivityEntry> {
  let beforeSeq: string | undefined;
  for (;;) {
    const rows = await scopedPage(db, actor, filters, beforeSeq, batchSize).execute();
    for (const row of rows) yield toEntry(row);
    if (rows.length < batchSize) return;
    beforeSeq = rows.at(-1)!.seq;
  }
}

export const CSV_COLUMNS = [
  'occurred_at',
  'event_type',
  'action',
  'summary',
  'actor_name',
  'actor_email',
  'target_type',
  'target_name',
  'partner_name',
  'account_name',
  'ip',
  'user_agent',
  'details',
  'event_id',
  'actor_id',
  'target_id',
  'partner_id',
  'account_id',
] as const;

/**
 * One CSV field: quoted when it holds a separator, quote or line break; a value a spreadsheet would run
 * as a formula (=, +, -, @, tab, CR first) is prefixed with an apostrophe (CSV injection).
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvRow(entry: ActivityEntry): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | null> = {
    occurred_at: entry.occurredAt,
    event_type: entry.group,
    action: entry.action,
    summary: entry.summary,
    actor_name: entry.actorName,
    actor_email: entry.actorEmail,
    target_type: entry.targetType,
    target_name: entry.targetName,
    partner_name: entry.partnerName,
    account_name: entry.accountName,
    ip: entry.ip,
    user_agent: entry.userAgent,
    details: JSON.stringify(entry.details),
    event_id: entry.id,
    actor_id: entry.actorId,
    target_id: entry.targetId,
    partner_id: entry.partnerId,
    account_id: entry.accountId,
  };
  return `${CSV_COLUMNS.map((column) => csvField(values[column])).join(',')}\r\n`;
}
