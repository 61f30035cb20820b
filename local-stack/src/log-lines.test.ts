import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-lines.js';

describe("npm start's console", () => {
  it("shows a client's error as its code, URL and message, not as JSON", () => {
    const line = JSON.stringify({ level: 30, time: 1, pid: 2, hostname: 'h', name: 'broker', code: 'TOPIC_EXISTS', url: '/create_topic/news/3', msg: 'topic "news" already exists' });
    expect(formatLogLine(line)).toBe('TOPIC_EXISTS /create_topic/news/3: topic "news" already exists');
  });

  it('shows other lines as the message with its fields, and warnings and errors marked', () => {
    expect(formatLogLine(JSON.stringify({ level: 30, time: 1, pid: 2, name: 'broker', msg: 'listening', port: 4000 }))).toBe('listening port=4000');
    expect(formatLogLine(JSON.stringify({ level: 40, time: 1, msg: 'slow', partition: { topic: 'a' } }))).toBe('WARN slow partition={"topic":"a"}');
    expect(formatLogLine(JSON.stringify({ level: 50, msg: 'boom' }))).toBe('ERROR boom');
  });

  it('leaves lines that are not log entries as they are', () => {
    expect(formatLogLine('plain text')).toBe('plain text');
    expect(formatLogLine('{not json')).toBe('{not json');
    expect(formatLogLine('{"a":1}')).toBe('{"a":1}');
  });
});
