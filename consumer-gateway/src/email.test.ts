import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { consumerEmail } from './email.js';

describe('consumer emails', () => {
  it('accepts practical addresses and lowercases them', () => {
    expect(consumerEmail('ann@example.com')).toBe('ann@example.com');
    expect(consumerEmail('Ann.Lee+news@Mail.Example.CO.UK')).toBe('ann.lee+news@mail.example.co.uk');
    expect(consumerEmail("o'brien_1-2=3@sub-domain.example.io")).toBe("o'brien_1-2=3@sub-domain.example.io");
    expect(consumerEmail(`${'a'.repeat(64)}@example.com`)).toHaveLength(76);
  });

  it.each([
    ['', 'empty'],
    ['ann', 'no @'],
    ['ann@example', 'a domain without a dot'],
    ['ann@@example.com', 'two @'],
    ['ann smith@example.com', 'a space'],
    ['ann\t@example.com', 'a tab'],
    ['ann\n@example.com', 'a newline'],
    ['ann@example.com\n', 'a trailing newline'],
    ['ann\u0000@example.com', 'a NUL'],
    ['{ann}@example.com', 'braces, which would break the Redis hash tag'],
    ['ann@{example}.com', 'braces in the domain'],
    ['a*n@example.com', 'a glob star, which would reach a Redis key name'],
    ['an?@example.com', 'a glob question mark'],
    ['a[n]@example.com', 'glob brackets'],
    ['.ann@example.com', 'a leading dot'],
    ['ann.@example.com', 'a trailing dot in the local part'],
    ['an..n@example.com', 'two dots in a row'],
    ['ann@-example.com', 'a label starting with a hyphen'],
    ['ann@example-.com', 'a label ending with a hyphen'],
    ['ann@example..com', 'an empty label'],
    ['ann@exam_ple.com', 'an underscore in the domain'],
    ['änn@example.com', 'non-ASCII'],
    [`${'a'.repeat(65)}@example.com`, 'a local part over 64 characters'],
    [`ann@${'a.'.repeat(124)}com`, 'over 254 characters'],
  ])('refuses %j (%s) with INVALID_EMAIL', (email) => {
    let error: unknown;
    try {
      consumerEmail(email);
    } catch (err) {
      error = err;
    }
    expect(isTributaryError(error) && error.code).toBe('INVALID_EMAIL');
  });
});
