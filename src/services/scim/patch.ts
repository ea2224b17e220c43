import { scimPatch, ScimError as PatchError, type ScimPatchOperation } from 'scim-patch';
import { z } from 'zod';
import { scimInvalid } from './errors.js';
import type { ScimResource } from './resources.js';

/** SCIM PATCH (RFC 7644 §3.5.2), for Users and Groups alike. */

const PatchBody = z.looseObject({
  schemas: z.array(z.string()).optional(),
  Operations: z
    .array(
      z.looseObject({
        op: z.string(),
        path: z.string().optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(100),
});

/** Reads the PatchOp body: ops in any case (Entra capitalises them), paths Gatehouse does not keep dropped. */
export function readPatchOperations(body: unknown): ScimPatchOperation[] {
  const parsed = PatchBody.safeParse(body);
  if (!parsed.success) throw scimInvalid('The body must be a PatchOp with Operations.', 'invalidSyntax');
  return parsed.data.Operations.map((operation) => {
    const op = operation.op.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw scimInvalid(`Unknown PATCH operation “${operation.op}”.`, 'invalidSyntax');
    return { ...operation, op } as ScimPatchOperation;
  });
}

export function applyPatch<T extends ScimResource>(resource: T, operations: ScimPatchOperation[]): T {
  try {
    return scimPatch(resource as T & { meta: never; schemas: string[] }, operations, {
      mutateDocument: false,
      treatMissingAsAdd: true,
    });
  } catch (error) {
    if (error instanceof PatchError) {
      const scimType =
        error.scimCode === 'noTarget' || error.scimCode === 'invalidPath' ? error.scimCode : 'invalidValue';
      throw scimInvalid(error.message, scimType);
    }
    throw error;
  }
}
