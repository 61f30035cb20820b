// SASL authentication inside the Kafka protocol (KIP-152): SaslHandshake names the mechanism, then
// SaslAuthenticate carries the mechanism's tokens as Kafka requests. After a v0 handshake a client would send
// raw tokens outside the protocol, which this codec does not speak; v0 is listed anyway because librdkafka
// authenticates only with a broker whose SaslHandshake range includes v0 (it then uses v1).
import { bytes, field, int16, int64, message, nullableString, string, struct, array } from '../schema.js';

export const SaslHandshake = message({
  apiKey: 17,
  name: 'SaslHandshake',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: Infinity,
  request: struct({ mechanism: field(string) }),
  response: struct({ errorCode: field(int16), mechanisms: field(array(string)) }),
});

export const SaslAuthenticate = message({
  apiKey: 36,
  name: 'SaslAuthenticate',
  minVersion: 0,
  maxVersion: 2,
  flexibleFrom: 2,
  request: struct({ authBytes: field(bytes) }),
  response: struct({
    errorCode: field(int16),
    errorMessage: field(nullableString),
    authBytes: field(bytes),
    sessionLifetimeMs: field(int64, 1),
  }),
});
