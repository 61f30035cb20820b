// The Kafka listener under bad input (docs/invariants.md I11): a frame it cannot serve closes that connection and
// nothing else; the broker keeps answering.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Broker } from '@tributary/broker';
import { ApiVersions, decodeResponse, encodeRequest, KafkaError, Metadata } from '@tributary/kafka';
import { testConfig } from '@tributary/testkit';

let broker: Broker;
let port: number;

beforeAll(async () => {
  broker = await createBroker(testConfig({ kafkaPort: 0, maxBodyBytes: 64 * 1024 }));
  await broker.listen();
  port = broker.kafka!.listener.address!.port;
});
afterAll(async () => {
  await broker?.close();
});

/** Sends `bytes`; resolves with what came back before the listener closed the connection, or the first whole frame. */
function exchange(bytes: Buffer): Promise<{ closed: boolean; frame?: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        socket.destroy();
        resolve({ closed: false, frame: received.subarray(4, 4 + received.readInt32BE(0)) });
      }
    });
    socket.on('close', () => resolve({ closed: true }));
    socket.on('error', reject);
  });
}

const metadataRequest = () => encodeRequest(Metadata, { apiVersion: 1, correlationId: 9, clientId: 'probe' }, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

describe('the Kafka listener', () => {
  it('closes a connection whose frame is larger than the request limit, without reading it', async () => {
    const header = Buffer.alloc(4);
    header.writeInt32BE(1024 * 1024 * 1024);
    expect(await exchange(header)).toEqual({ closed: true });
  });

  it('closes a connection that sends bytes that do not decode', async () => {
    const garbage = Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from([0, 3, 0, 1, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff])]);
    expect(await exchange(garbage)).toEqual({ closed: true });
  });

  it('closes a connection asking for a version it does not serve', async () => {
    const request = metadataRequest();
    request.writeInt16BE(99, 6);
    expect(await exchange(request)).toEqual({ closed: true });
  });

  it('answers ApiVersions at an unknown version with the list at v0 and UNSUPPORTED_VERSION', async () => {
    const request = encodeRequest(ApiVersions, { apiVersion: 0, correlationId: 5, clientId: null }, { clientSoftwareName: '', clientSoftwareVersion: '' });
    request.writeInt16BE(77, 6);
    const { frame } = await exchange(request);
    const { correlationId, body } = decodeResponse(ApiVersions, 0, frame!);
    expect(correlationId).toBe(5);
    expect(body.errorCode).toBe(KafkaError.UNSUPPORTED_VERSION);
    expect(body.apiKeys.map((k) => k.apiKey)).toEqual(expect.arrayContaining([0, 1, 2, 3, 18]));
  });

  it('answers a request split across reads (the first part used to leave the connection unanswered for good), and the next one in the same chunk as its tail', async () => {
    const request = metadataRequest();
    const bytes = Buffer.concat([request, request]);
    const socket: Socket = connect(port, '127.0.0.1');
    const answers: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      let received = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
          answers.push(received.subarray(4, 4 + received.readInt32BE(0)));
          received = received.subarray(4 + received.readInt32BE(0));
        }
        if (answers.length === 2) resolve();
      });
    });
    for (let at = 0; at < bytes.length; at += 7) {
      socket.write(bytes.subarray(at, at + 7));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await done;
    socket.destroy();
    expect(answers.map((frame) => decodeResponse(Metadata, 1, frame).correlationId)).toEqual([9, 9]);
  });

  it('keeps serving other connections', async () => {
    const { frame } = await exchange(metadataRequest());
    expect(decodeResponse(Metadata, 1, frame!).body.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port, rack: null }]);
  });
});
