/** RFC 7644 §3.12: SCIM answers errors in its own format, with a `scimType` for the 400s and 409s. */
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimErrorType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: ScimErrorType,
  ) {
    super(detail);
  }

  toBody(): { schemas: string[]; status: string; scimType?: string; detail: string } {
    return {
      schemas: [SCIM_ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

export const scimNotFound = (what: string) => new ScimError(404, `${what} not found.`);
export const scimInvalid = (detail: string, scimType: ScimErrorType = 'invalidValue') =>
  new ScimError(400, detail, scimType);
