// Every message this codec implements, by API key, and the framing around them: a frame is an int32 size
// and then a request (header + body) or a response (header + body).
//
// Request header v1: api_key int16, api_version int16, correlation_id int32, client_id nullable string;
// v2 (flexible versions) adds a tagged-field section. The client id stays a classic string in both.
// Response header v0: correlation_id int32; v1 (flexible versions) adds a tagged-field section, except for
// ApiVersions, whose response header is always v0 so that a client can read it before it knows what the
// broker speaks.
import { ApiVersions, CreateTopics, DeleteTopics, InitProducerId, Metadata } from './messages/cluster.js';
import { DeleteGroups, DescribeGroups, FindCoordinator, Heartbeat, JoinGroup, LeaveGroup, ListGroups, OffsetCommit, OffsetFetch, SyncGroup } from './messages/groups.js';
import { Fetch, ListOffsets, Produce } from './messages/log.js';
import { SaslAuthenticate, SaslHandshake } from './messages/sasl.js';
import { contextFor, type Message } from './schema.js';
import { Reader, Writer } from './wire.js';

export const messages = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  InitProducerId,
  SaslAuthenticate,
  DeleteGroups,
] as const;

export type AnyMessage = Message<any, any>;

const byKey = new Map<number, AnyMessage>(messages.map((m) => [m.apiKey, m]));

export function messageFor(apiKey: number): AnyMessage | undefined {
  return byKey.get(apiKey);
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export type DecodedRequest =
  | { kind: 'request'; header: RequestHeader; message: AnyMessage; body: unknown }
  /** An API or version this codec does not implement: only the fixed part of the header could be read. */
  | { kind: 'unsupported'; header: RequestHeader; message: AnyMessage | undefined };

/** Decodes one request frame (without its size prefix). Throws ProtocolError on malformed bytes. */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const reader = new Reader(frame);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const message = messageFor(apiKey);
  if (!message || apiVersion < message.minVersion || apiVersion > message.maxVersion) {
    return { kind: 'unsupported', header: { apiKey, apiVersion, correlationId, clientId: null }, message };
  }
  const clientId = reader.nullableString();
  const context = contextFor(message, apiVersion);
  if (context.flexible) reader.skipTaggedFields();
  const body = message.request.read(reader, context);
  return { kind: 'request', header: { apiKey, apiVersion, correlationId, clientId }, message, body };
}

/** One request frame, size prefix included (clients and tests). */
export function encodeRequest<Req>(message: Message<Req, unknown>, header: Omit<RequestHeader, 'apiKey'>, body: Req): Buffer {
  const writer = new Writer();
  writer.int32(0).int16(message.apiKey).int16(header.apiVersion).int32(header.correlationId).nullableString(header.clientId);
  const context = contextFor(message, header.apiVersion);
  if (context.flexible) writer.uvarint(0);
  message.request.write(writer, body, context);
  return Buffer.from(writer.patchInt32(0, writer.length - 4).bytes());
}

const responseHeaderIsFlexible = (message: AnyMessage, version: number) => message !== ApiVersions && contextFor(message, version).flexible;

/** One response frame, size prefix included. */
export function encodeResponse<Res>(message: Message<unknown, Res>, version: number, correlationId: number, body: Res): Buffer {
  const writer = new Writer();
  writer.int32(0).int32(correlationId);
  if (responseHeaderIsFlexible(message, version)) writer.uvarint(0);
  message.response.write(writer, body, contextFor(message, version));
  return Buffer.from(writer.patchInt32(0, writer.length - 4).bytes());
}

/** Decodes one response frame (without its size prefix) of a request made with `message` at `version`. */
export function decodeResponse<Res>(message: Message<unknown, Res>, version: number, frame: Buffer): { correlationId: number; body: Res } {
  const reader = new Reader(frame);
  const correlationId = reader.int32();
  if (responseHeaderIsFlexible(message, version)) reader.skipTaggedFields();
  return { correlationId, body: message.response.read(reader, contextFor(message, version)) };
}
