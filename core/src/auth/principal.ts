// Who a request acts as. A principal is a name: API keys belong to one (api-keys.ts), ACLs grant it
// permissions (acl.ts). Names become ZooKeeper node names and part of Redis keys (quota counters), so they
// are restricted to characters that are neither path separators, glob characters nor hash-tag braces.
export const ADMIN_PRINCIPAL = 'admin';

export const PRINCIPAL_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$';
const principalPattern = new RegExp(PRINCIPAL_PATTERN);

export function isPrincipalName(name: string): boolean {
  return principalPattern.test(name);
}

export const PRINCIPAL_RULE = "a principal is 1-128 characters of ASCII letters, digits, '.', '_', '@' and '-', starting with a letter or digit";
