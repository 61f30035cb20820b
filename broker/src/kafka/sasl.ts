// Authentication on the Kafka listener (AUTH=on): SASL/PLAIN with Tributary's API keys, the key as the
// password (the user name, when given, must be the key's principal), then the same ACLs as over HTTP. A
// connection that sends anything but ApiVersions and the SASL requests before it has authenticated is
// closed, as Kafka does; so is one whose authentication failed, once it has been told why.
//
// What each API needs (operations as in the README's ACL table; `consume` and `produce` imply `describe`):
//   Metadata, ListOffsets: describe on the topic    Produce: produce on the topic    Fetch: consume on the topic
//   CreateTopics, DeleteTopics: admin on the topic  FindCoordinator, OffsetFetch, DescribeGroups, ListGroups:
//   describe on the group   JoinGroup, SyncGroup, Heartbeat, LeaveGroup: consume on the group
//   OffsetCommit: consume on the group and on each topic   DeleteGroups: admin on the group
//   InitProducerId: an authenticated principal
// No quotas are charged on this listener yet.
import type { AccessControl, Config, Operation } from '@tributary/core';
import { KafkaError, type RequestOf, type ResponseOf, type SaslAuthenticate, type SaslHandshake } from '@tributary/kafka';
import type { RequestContext } from './handlers.js';

/** What a connection has established about its client. */
export interface Session {
  /** Who the connection acts as, once authenticated (always undefined with auth off). */
  principal: string | undefined;
  mechanism: 'PLAIN' | undefined;
  /** Close the connection once this answer is written (a failed authentication). */
  closeAfterAnswer: boolean;
}

export const newSession = (): Session => ({ principal: undefined, mechanism: undefined, closeAfterAnswer: false });

export class KafkaAccess {
  constructor(
    private readonly config: Config,
    private readonly access: AccessControl | undefined,
  ) {
    if (config.auth && !access) throw new Error('AUTH=on needs access control for the Kafka listener');
  }

  /** Whether connections must authenticate before anything but ApiVersions and SASL. */
  get required(): boolean {
    return this.config.auth;
  }

  allowed(session: Session, operation: Operation, resource: string): boolean {
    if (!this.config.auth) return true;
    return session.principal !== undefined && this.access!.acls.allows(session.principal, operation, resource);
  }

  /** PLAIN's token: [authorization id] NUL user name NUL password. */
  authenticatePlain(token: Buffer): string | undefined {
    const parts = token.toString('utf8').split('\0');
    if (parts.length !== 3) return undefined;
    const [authzid, user, password] = parts as [string, string, string];
    const principal = this.access!.keys.authenticate(password);
    if (principal === undefined) return undefined;
    if ((user !== '' && user !== principal) || (authzid !== '' && authzid !== principal)) return undefined;
    return principal;
  }
}

export const topicResource = (name: string) => `topic:${name}`;
export const groupResource = (name: string) => `group:${name}`;

export function saslHandlers(access: KafkaAccess) {
  const handshake = (request: RequestOf<typeof SaslHandshake>, { session }: RequestContext): ResponseOf<typeof SaslHandshake> => {
    if (request.mechanism !== 'PLAIN') return { errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] };
    session.mechanism = 'PLAIN';
    return { errorCode: KafkaError.NONE, mechanisms: ['PLAIN'] };
  };

  const authenticate = (request: RequestOf<typeof SaslAuthenticate>, { session }: RequestContext): ResponseOf<typeof SaslAuthenticate> => {
    const answer = { authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
    if (session.mechanism !== 'PLAIN' || session.principal !== undefined) {
      session.closeAfterAnswer = true;
      return { ...answer, errorCode: KafkaError.ILLEGAL_SASL_STATE, errorMessage: 'SaslHandshake with PLAIN first, and authenticate once' };
    }
    const principal = access.authenticatePlain(request.authBytes);
    if (principal === undefined) {
      session.closeAfterAnswer = true;
      return { ...answer, errorCode: KafkaError.SASL_AUTHENTICATION_FAILED, errorMessage: 'authentication failed: send a live API key as the password' };
    }
    session.principal = principal;
    return { ...answer, errorCode: KafkaError.NONE, errorMessage: null };
  };

  return { handshake, authenticate };
}
