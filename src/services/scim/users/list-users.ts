import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { parseListQuery, selectPage, type ListQuery } from '../filters.js';
import { listResponse, userResource } from '../resources.js';
import type { ScimCaller } from '../tokens.js';
import { memberRows, UUID } from './shared.js';

export async function listScimUsers(
  db: Kysely<Database>,
  caller: ScimCaller,
  rawQuery: Record<string, unknown>,
  baseUrl: string,
) {
  const query: ListQuery = parseListQuery(rawQuery);
  let rows = memberRows(db, caller.workspaceId);
  // The filters connectors send to find one person before creating them are answered by the index.
  // userName compares case-insensitively (RFC 7643 §4.1.1), which SQL's lower() does and the library does not.
  const exact = query.exactMatch;
  let answered = true;
  if (exact?.attribute === 'username' || exact?.attribute === 'emails.value' || exact?.attribute === 'emails')
    rows = rows.where(sql<string>`lower(u.email)`, '=', exact.value.toLowerCase());
  else if (exact?.attribute === 'externalid') rows = rows.where('s.external_id', '=', exact.value);
  else if (exact?.attribute === 'id') {
    if (!UUID.test(exact.value)) return listResponse([], 0, query.startIndex);
    rows = rows.where('u.id', '=', exact.value);
  } else answered = false;
  const all = (await rows.orderBy('u.created_at').orderBy('u.id').execute()).map((row) => userResource(row, baseUrl));
  const { page, total } = selectPage(all, answered ? { ...query, filter: null } : query);
  return listResponse(page, total, query.startIndex);
}
