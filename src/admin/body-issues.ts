import type { z } from 'zod';
import { JSON_WORDS, expectedNoun, isMissing, issuePhrase } from '../schemas/issue-text.js';
import { type AdminError, badRequest } from './http.js';

/**
 * The 400 `invalid_body` for a request body its schema refused (parsed with `reportInput:
 * true`, so values can be quoted back): `Invalid request body: budget.limit_usd must be 0 or
 * more (got -1); name is required (a string).` Bounds, types and unions of types in the
 * tool's words (schemas/issue-text.ts), options and unknown fields here; a schema's own
 * message follows the field after a colon.
 */
export function invalidBody(issues: readonly z.core.$ZodIssue[]): AdminError {
  return badRequest('invalid_body', `Invalid request body: ${issues.flatMap(issueTexts).join('; ')}.`);
}

/** zod's default text for an enum value not among the options. */
const DEFAULT_OPTION = /^Invalid (option|input): expected /;

function issueTexts(issue: z.core.$ZodIssue): string[] {
  const field = issue.path.map(String).join('.');
  const named = field || 'body';
  const own = (message: string) => (field === '' ? message : `${field}: ${message}`);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => own(`unknown field ${JSON.stringify(key)}`));
    case 'invalid_key':
      return [own(issue.issues.map((i) => i.message).join('; ') || 'invalid key')];
    case 'invalid_value':
      if (!DEFAULT_OPTION.test(issue.message)) break;
      return [`${named} must be ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map(String).join(', ')}${'input' in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : ''}`];
    case 'invalid_type':
      if (isMissing(issue)) return [`${named} is required (${expectedNoun(issue.expected, JSON_WORDS)})`];
      break;
  }
  const phrase = issuePhrase(issue, JSON_WORDS);
  return [phrase === null ? own(issue.message) : `${named} ${phrase}`];
}
