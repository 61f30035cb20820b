// Names no other test uses: topics, emails and ZooKeeper roots never collide between test files.
import { randomBytes } from 'node:crypto';

export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function uniqueEmail(): string {
  return `${uniqueName('user')}@example.com`;
}
