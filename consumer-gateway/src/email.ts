// A consumer is named by an email address, and the address is part of its Redis keys (the hash tag
// {<email>}, core/keys.ts). So it is checked strictly before use: a practical subset of RFC 5321/5322 in
// ASCII — a dot-atom local part of at most 64 characters, '@', and a domain of at least two labels — at
// most 254 characters, with no whitespace, control characters or braces (a brace would break the hash tag).
// The glob characters '*' and '?' are refused too, although RFC 5322 allows them in a local part: Redis key
// names must never carry glob syntax (a KEYS or SCAN MATCH built from one would match other consumers), and
// restricting is simpler to reason about than escaping. '[' and ']' were never allowed.
//
// Emails are lowercased before use: "Ann@Example.com" and "ann@example.com" are one consumer. RFC 5321
// allows a case-sensitive local part, but no mail system in practice treats it so, and two consumers that
// differ only in case would surprise every user.
//
// The pattern and the schema of an email path parameter are part of the contract (core/src/protocol/reads.ts);
// app.ts turns a schema failure into INVALID_EMAIL.
import { EMAIL_MAX_LENGTH, EMAIL_PATTERN, TributaryError } from '@tributary/core';

export { EMAIL_PATTERN };

const emailPattern = new RegExp(EMAIL_PATTERN);

export function invalidEmail(): TributaryError {
  return new TributaryError(
    'INVALID_EMAIL',
    `email must be an address like name@example.com: a local part of at most 64 characters, '@', a domain ` +
      `with a dot, at most ${EMAIL_MAX_LENGTH} characters in all, and no spaces, control characters, braces or glob characters (* ?)`,
  );
}

/** The consumer's canonical email: validated and lowercased. */
export function consumerEmail(email: string): string {
  if (email.length > EMAIL_MAX_LENGTH || !emailPattern.test(email)) throw invalidEmail();
  return email.toLowerCase();
}
