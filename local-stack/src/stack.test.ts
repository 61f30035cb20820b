import { describe, expect, it } from 'vitest';
import { listenHostFor } from './stack.js';

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
