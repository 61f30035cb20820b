// TLS_CERT_FILE and TLS_KEY_FILE: both services speak HTTPS only; the CLI reaches them at https:// URLs,
// trusting the certificate through --ca-file.
import { get } from 'node:https';
import { get as httpGet } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '@tributary/testkit';
import { Cluster } from './harness.js';
import { makeTestCertificate, type TestCertificate } from './tls-cert.js';

let cert: TestCertificate;
let cluster: Cluster;

beforeAll(async () => {
  cert = makeTestCertificate();
  cluster = await Cluster.start({ tlsCertFile: cert.certFile, tlsKeyFile: cert.keyFile });
});
afterAll(async () => {
  await cluster?.close();
  cert?.remove();
});

function httpsJson(url: string, ca?: Buffer): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, ca ? { ca } : {}, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

describe('TLS', () => {
  it('serves both services over HTTPS with the configured certificate', async () => {
    const ca = readFileSync(cert.certFile);
    expect(cluster.brokerUrl).toMatch(/^https:/);
    expect(await httpsJson(`${cluster.brokerUrl}/healthz`, ca)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await httpsJson(`${cluster.gatewayUrl}/healthz`, ca)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('refuses a client that does not trust the certificate, and plain HTTP', async () => {
    await expect(httpsJson(`${cluster.brokerUrl}/healthz`)).rejects.toThrow(/self.signed|certificate/i);
    const plain = cluster.brokerUrl.replace('https:', 'http:');
    const answer = await new Promise<string>((resolve) => {
      httpGet(`${plain}/healthz`, (response) => resolve(`status ${response.statusCode}`)).on('error', (err) => resolve(`error ${err.message}`));
    });
    expect(answer).not.toBe('status 200');
  });

  it('the CLI reaches https:// URLs with --ca-file, and says what is wrong without it', async () => {
    const name = uniqueName('tls');
    await cluster.ok(['--ca-file', cert.certFile, 'topics', 'create', name, '-p', '1']);
    const topics = await cluster.json(['--ca-file', cert.certFile, 'topics', 'list']);
    expect(topics.topics.map((topic: { name: string }) => topic.name)).toContain(name);

    const untrusted = await cluster.run(['topics', 'list']);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate is not trusted .*--ca-file/);

    const missing = await cluster.run(['--ca-file', '/nonexistent/ca.pem', 'topics', 'list']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read --ca-file /nonexistent/ca.pem');
  });
});
