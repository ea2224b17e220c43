/**
 * The resources SCIM clients read (RFC 7643): users as Gatehouse members, the one group that maps to the
 * admin role, and the discovery documents that tell a connector what this server supports.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** The one group: its members are the workspace's admins (the owner is never in it nor moved by it). */
export const ADMIN_GROUP = { id: 'gatehouse-admins', displayName: 'Gatehouse admins' } as const;

/** At most this many resources in one page, whatever `count` asks for (RFC 7644 §3.4.2.4). */
export const MAX_PAGE_SIZE = 200;

export interface ScimMemberRow {
  id: string;
  email: string;
  given_name: string | null;
  family_name: string | null;
  display_name: string;
  role: string;
  status: string;
  created_at: Date;
  updated_at: Date;
  external_id: string | null;
}

export type ScimResource = Record<string, unknown> & { id: string };

export function userResource(row: ScimMemberRow, baseUrl: string): ScimResource {
  return {
    schemas: [USER_SCHEMA],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.email,
    name: {
      formatted: row.display_name,
      ...(row.given_name ? { givenName: row.given_name } : {}),
      ...(row.family_name ? { familyName: row.family_name } : {}),
    },
    displayName: row.display_name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: row.status === 'active',
    groups:
      row.role === 'admin'
        ? [{ value: ADMIN_GROUP.id, display: ADMIN_GROUP.displayName, $ref: `${baseUrl}/Groups/${ADMIN_GROUP.id}` }]
        : [],
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${baseUrl}/Users/${row.id}`,
    },
  };
}

export function groupResource(
  admins: Array<{ id: string; email: string }>,
  baseUrl: string,
  workspaceCreatedAt: Date,
): ScimResource {
  return {
    schemas: [GROUP_SCHEMA],
    id: ADMIN_GROUP.id,
    displayName: ADMIN_GROUP.displayName,
    members: admins.map((admin) => ({ value: admin.id, display: admin.email, $ref: `${baseUrl}/Users/${admin.id}` })),
    meta: {
      resourceType: 'Group',
      created: workspaceCreatedAt.toISOString(),
      lastModified: workspaceCreatedAt.toISOString(),
      location: `${baseUrl}/Groups/${ADMIN_GROUP.id}`,
    },
  };
}

export function listResponse(resources: ScimResource[], totalResults: number, startIndex: number) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, '')}/api/docs`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'A SCIM token created in Workspace settings → SCIM tokens, sent as Authorization: Bearer.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A member of the workspace (guests are not provisioned through SCIM)',
      schema: USER_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: `The one group, “${ADMIN_GROUP.displayName}”: its members are the workspace's admins`,
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

const attribute = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

export function schemas(baseUrl: string) {
  return [
    {
      schemas: [SCHEMA_SCHEMA],
      id: USER_SCHEMA,
      name: 'User',
      description: 'A workspace member; userName is their email address',
      attributes: [
        attribute('userName', 'string', { required: true, uniqueness: 'server' }),
        attribute('name', 'complex', {
          subAttributes: [
            attribute('formatted', 'string'),
            attribute('givenName', 'string'),
            attribute('familyName', 'string'),
          ],
        }),
        attribute('displayName', 'string'),
        attribute('emails', 'complex', {
          multiValued: true,
          mutability: 'readOnly',
          subAttributes: [attribute('value', 'string'), attribute('type', 'string'), attribute('primary', 'boolean')],
        }),
        attribute('active', 'boolean'),
        attribute('groups', 'complex', {
          multiValued: true,
          mutability: 'readOnly',
          subAttributes: [attribute('value', 'string'), attribute('display', 'string')],
        }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: [SCHEMA_SCHEMA],
      id: GROUP_SCHEMA,
      name: 'Group',
      description: `Only “${ADMIN_GROUP.displayName}”, mapped to the admin role`,
      attributes: [
        attribute('displayName', 'string', { required: true, mutability: 'readOnly', uniqueness: 'server' }),
        attribute('members', 'complex', {
          multiValued: true,
          subAttributes: [attribute('value', 'string', { mutability: 'immutable' }), attribute('display', 'string')],
        }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}
