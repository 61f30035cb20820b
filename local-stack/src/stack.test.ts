import { describe, expect, it } from 'vitest';
import { listenHostFor, quickStart } from './stack.js';

describe('where npm start / tributary up listen', () => {
  it('on loopback only while auth is off', () => {
    expect(listenHostFor({})).toBe('127.0.0.1');
    expect(listenHostFor({ AUTH: 'off' })).toBe('127.0.0.1');
  });

  it('on every interface with AUTH=on', () => {
    expect(listenHostFor({ AUTH: 'on' })).toBe('0.0.0.0');
  });

  it('where LISTEN_HOST says, when it is set', () => {
    expect(listenHostFor({ LISTEN_HOST: '0.0.0.0' })).toBe('0.0.0.0');
    expect(listenHostFor({ LISTEN_HOST: '::1', AUTH: 'on' })).toBe('::1');
  });
});

describe('the quick start', () => {
  const stack = { brokerUrl: 'http://localhost:4000', gatewayUrl: 'http://localhost:5000', kafkaBootstrap: 'localhost:9092', dataDir: '/data' };

  it('suggests creating the topic "news" on a first start', () => {
    expect(quickStart({ ...stack, topics: [] })).toContain('curl -X POST http://localhost:4000/create_topic/news/3');
  });

  it('names the web console and the API docs of both services', () => {
    const text = quickStart({ ...stack, topics: [] });
    expect(text).toContain('web console       http://localhost:4000/ui ');
    expect(text).toContain('API docs          http://localhost:4000/docs and http://localhost:5000/docs ');
  });

  it('does not suggest creating it again when an earlier start created it', () => {
    const text = quickStart({ ...stack, topics: ['news', 'other'] });
    expect(text).not.toContain('create_topic');
    expect(text).toContain('curl -X POST http://localhost:4000/write/news');
  });
});
