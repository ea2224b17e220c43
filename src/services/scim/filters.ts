import { filter as compileFilter, parse as parseFilter, type Filter } from 'scim2-parse-filter';
import { scimInvalid } from './errors.js';
import { MAX_PAGE_SIZE, type ScimResource } from './resources.js';

/** A list request (RFC 7644 §3.4.2): its filter, parsed by scim2-parse-filter, and its page. */
export interface ListQuery {
  filter: Filter | null;
  /** `attr eq "value"` on one attribute (lower-cased name): what connectors send to find one resource. */
  exactMatch: { attribute: string; value: string } | null;
  startIndex: number;
  count: number;
  excludedAttributes: string[];
}

const MAX_FILTER_LENGTH = 1000;

function integer(value: unknown, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number)) throw scimInvalid('startIndex and count are integers.', 'invalidValue');
  return number;
}

export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const rawFilter = query.filter;
  let filter: Filter | null = null;
  if (typeof rawFilter === 'string' && rawFilter.trim() !== '') {
    if (rawFilter.length > MAX_FILTER_LENGTH) throw scimInvalid('The filter is too long.', 'invalidFilter');
    try {
      filter = parseFilter(rawFilter);
    } catch (error) {
      throw scimInvalid(`The filter could not be read: ${(error as Error).message}`, 'invalidFilter');
    }
  } else if (rawFilter !== undefined && typeof rawFilter !== 'string') {
    throw scimInvalid('Give one filter.', 'invalidFilter');
  }
  const exactMatch =
    filter && filter.op === 'eq' && 'compValue' in filter && typeof filter.compValue === 'string'
      ? {
          attribute: filter.attrPath
            .replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, '')
            .toLowerCase(),
          value: filter.compValue,
        }
      : null;
  const excluded = typeof query.excludedAttributes === 'string' ? query.excludedAttributes : '';
  return {
    filter,
    exactMatch,
    // Less than 1 is read as 1; a negative count as 0 (RFC 7644 §3.4.2.4).
    startIndex: Math.max(1, integer(query.startIndex, 1)),
    count: Math.min(MAX_PAGE_SIZE, Math.max(0, integer(query.count, MAX_PAGE_SIZE))),
    excludedAttributes: excluded
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  };
}

/** The filter applied to the resources (the narrowing in SQL is only a shortcut), then the page asked for. */
export function selectPage(resources: ScimResource[], query: ListQuery): { page: ScimResource[]; total: number } {
  let matching = resources;
  if (query.filter) {
    let test: (resource: unknown) => boolean;
    try {
      test = compileFilter(query.filter);
      matching = resources.filter((resource) => test(resource));
    } catch (error) {
      throw scimInvalid(`The filter could not be applied: ${(error as Error).message}`, 'invalidFilter');
    }
  }
  const page = matching.slice(query.startIndex - 1, query.startIndex - 1 + query.count).map((resource) => {
    if (query.excludedAttributes.length === 0) return resource;
    return Object.fromEntries(
      Object.entries(resource).filter(
        ([key]) => key === 'id' || key === 'schemas' || !query.excludedAttributes.includes(key.toLowerCase()),
      ),
    ) as ScimResource;
  });
  return { page, total: matching.length };
}
