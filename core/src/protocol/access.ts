// API keys, ACLs and quotas (both services; every route needs admin on cluster).
import { Type, type Static } from '@sinclair/typebox';
import type { Operation } from '../access.js';
import { OPERATIONS, RESOURCE_PATTERN } from '../auth/acl.js';
import { KEY_ID_PATTERN } from '../auth/api-keys.js';
import { PRINCIPAL_PATTERN } from '../auth/principal.js';
import { StringEnum } from './common.js';

export const Principal = Type.String({ minLength: 1, maxLength: 128, pattern: PRINCIPAL_PATTERN });
/** cluster, topic:<name>, topic:<prefix>*, group:<name> or group:<prefix>*. */
export const Resource = Type.String({ minLength: 1, maxLength: 256, pattern: RESOURCE_PATTERN });

export const PrincipalParams = Type.Object({ principal: Principal });
export type PrincipalParams = Static<typeof PrincipalParams>;
export const PrincipalQuery = Type.Object({ principal: Type.Optional(Principal) }, { additionalProperties: false });
export type PrincipalQuery = Static<typeof PrincipalQuery>;

export const KeyCreateBody = Type.Object({ principal: Principal }, { additionalProperties: false });
export type KeyCreateBody = Static<typeof KeyCreateBody>;
export const KeyIdParams = Type.Object({ key_id: Type.String({ pattern: KEY_ID_PATTERN }) });
export type KeyIdParams = Static<typeof KeyIdParams>;

export const KeyInfo = Type.Object({ key_id: Type.String(), principal: Type.String(), created_at: Type.String({ description: 'ISO 8601' }) });
export type KeyInfo = Static<typeof KeyInfo>;
/** 201: the only time the key itself is shown. */
export const KeyCreated = Type.Object({ ...KeyInfo.properties, key: Type.String() });
export type KeyCreated = Static<typeof KeyCreated>;
export const KeyList = Type.Object({ keys: Type.Array(KeyInfo) });
export type KeyList = Static<typeof KeyList>;
export const KeyRevoked = Type.Object({ key_id: Type.String(), principal: Type.String(), revoked: Type.Boolean() });
export type KeyRevoked = Static<typeof KeyRevoked>;
export const PrincipalKeysRevoked = Type.Object({ principal: Type.String(), revoked: Type.Array(Type.String(), { description: 'the revoked key ids' }) });
export type PrincipalKeysRevoked = Static<typeof PrincipalKeysRevoked>;

export const AclParams = Type.Object(
  { principal: Principal, operation: StringEnum(OPERATIONS as readonly Operation[]), resource: Resource },
  { additionalProperties: false },
);
export type AclParams = Static<typeof AclParams>;
export const Acl = Type.Object({ principal: Type.String(), operation: Type.String(), resource: Type.String() });
export type Acl = Static<typeof Acl>;
export const AclList = Type.Object({ acls: Type.Array(Acl) });
export type AclList = Static<typeof AclList>;

const QuotaLimit = Type.Integer({ minimum: 0, maximum: 1024 ** 4 });
const quotaProperties = { requests_per_sec: Type.Optional(QuotaLimit), produce_bytes_per_sec: Type.Optional(QuotaLimit) };
/** A principal's own limits (0: none); absent: the default applies. */
export const QuotaBody = Type.Object(quotaProperties, { additionalProperties: false, minProperties: 1 });
export type QuotaBody = Static<typeof QuotaBody>;
export const Quota = Type.Object({ principal: Type.String(), ...quotaProperties });
export type Quota = Static<typeof Quota>;
export const QuotaList = Type.Object({ defaults: Type.Object(quotaProperties), principals: Type.Array(Quota) });
export type QuotaList = Static<typeof QuotaList>;
export const QuotaRemoved = Type.Object({ principal: Type.String(), removed: Type.Boolean() });
export type QuotaRemoved = Static<typeof QuotaRemoved>;
