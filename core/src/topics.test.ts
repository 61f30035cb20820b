import { describe, expect, it } from 'vitest';
import { topicNameProblem } from './topics.js';

describe('topicNameProblem (Kafka topic-name rules)', () => {
  it.each(['news', 'a', 'Game.Events_v2-eu', 'x'.repeat(249), '...', '.hidden'])('accepts %j', (name) => {
    expect(topicNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /1 to 249 characters, got 0/],
    ['x'.repeat(250), /1 to 249 characters, got 250/],
    ['.', /cannot be "\."/],
    ['..', /cannot be "\.\."/],
    ['has space', /may contain only/],
    ['slash/name', /may contain only/],
    ['ünïcode', /may contain only/],
    ['{braces}', /may contain only/],
  ])('refuses %j', (name, message) => {
    expect(topicNameProblem(name)).toMatch(message);
  });
});
