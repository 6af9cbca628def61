import type { z } from 'zod';
import { JSON_WORDS, expectedNoun, isMissing, issuePhrase } from '../schemas/issue-text.js';
import { type AdminError, badRequest } from './http.js';

/**
 * The 400 `invalid_body` for a request body its schema refused (parsed with `reportInput:
 * true`, so values can be quoted back): `Invalid request body: budget.limit_usd must be 0 or
 * more (got -1); name is required (a string).` Bounds and types in the tool's words
 * (schemas/issue-text.ts); a schema's own message follows the field after a colon.
 */
export function invalidBody(issues: readonly z.core.$ZodIssue[]): AdminError {
  const texts = issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    if (isMissing(issue) && issue.code === 'invalid_type') return `${field || 'body'} is required (${expectedNoun(issue.expected, JSON_WORDS)})`;
    const phrase = issuePhrase(issue, JSON_WORDS);
    if (phrase !== null) return `${field || 'body'} ${phrase}`;
    return field === '' ? issue.message : `${field}: ${issue.message}`;
  });
  return badRequest('invalid_body', `Invalid request body: ${texts.join('; ')}.`);
}
