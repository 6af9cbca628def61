import type { z } from 'zod';

/**
 * zod issues in the tool's words. zod's own messages (`Too big: expected number to be
 * <=65535`, `Invalid input: expected number, received string`) name the bound in symbols and
 * never the value sent; the config loader and the admin API say instead what the field must
 * be and what it got: `must be at most 65535 (got 70000)`, `must be a number, not the string
 * "5"`. Only zod's default messages are replaced: a schema's own message (`at most 3600000
 * (one hour); …`) already says more, and is kept.
 */

type Issue = z.core.$ZodIssue;

/**
 * How a reader names JSON-ish shapes: the config is YAML (a mapping, a list, an empty value),
 * the admin API JSON (an object, an array, null).
 */
export interface ShapeWords {
  object: string;
  array: string;
  null: string;
}

export const YAML_WORDS: ShapeWords = { object: 'a mapping', array: 'a list', null: 'empty' };
export const JSON_WORDS: ShapeWords = { object: 'an object', array: 'an array', null: 'null' };

/** Longest string value quoted back in a message, characters; longer ones are cut with `…`. */
const MAX_QUOTED = 40;

/** zod's default texts for the issues this module words (zod v4, locales/en). */
const DEFAULT_BOUND = /^Too (big|small): expected /;
const DEFAULT_TYPE = /^Invalid input: expected \S+, received (\S+)$/;

/**
 * What the field must be, as a phrase to follow the field's name (`must be 0 or more (got
 * -1)`), for a too_big, too_small, invalid_type or invalid_union (of types) issue that carries
 * zod's default message;
 * null for any other issue, a schema's own message, or a missing field (see isMissing). The
 * value sent is quoted when the issue carries it (parse with `reportInput: true`).
 */
export function issuePhrase(issue: Issue, words: ShapeWords): string | null {
  if (issue.code === 'invalid_type') return DEFAULT_TYPE.test(issue.message) && !isMissing(issue) ? typePhrase(issue, words) : null;
  if (issue.code === 'too_big' || issue.code === 'too_small') return DEFAULT_BOUND.test(issue.message) ? boundPhrase(issue) : null;
  if (issue.code === 'invalid_union') return unionPhrase(issue, words);
  return null;
}

/**
 * A value none of a union's types takes (a tag value: string, number or boolean): `must be a
 * string, a number or a boolean, not null`. null unless every branch failed on its type alone
 * with zod's default message, or when the value is absent (a missing field) or not reported.
 */
function unionPhrase(issue: z.core.$ZodIssueInvalidUnion, words: ShapeWords): string | null {
  if (!('input' in issue) || issue.input === undefined) return null;
  const nouns: string[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    if (branch.length !== 1 || first?.code !== 'invalid_type' || !DEFAULT_TYPE.test(first.message)) return null;
    nouns.push(first.expected === 'boolean' ? 'a boolean' : expectedNoun(first.expected, words));
  }
  if (nouns.length === 0) return null;
  const list = nouns.length > 1 ? `${nouns.slice(0, -1).join(', ')} or ${nouns[nouns.length - 1]}` : nouns[0]!;
  return `must be ${list}, not ${describeValue(issue.input, words)}`;
}

/** True for zod's invalid_type of a field that is absent (`received undefined`). */
export function isMissing(issue: Issue): boolean {
  return issue.code === 'invalid_type' && DEFAULT_TYPE.exec(issue.message)?.[1] === 'undefined';
}

/** What a field of zod type `expected` holds, with an article: `a number`, `a whole number`, `true or false`. */
export function expectedNoun(expected: string, words: ShapeWords): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return words.object;
    case 'array':
    case 'tuple':
      return words.array;
    case 'null':
      return words.null;
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function typePhrase(issue: z.core.$ZodIssueInvalidType, words: ShapeWords): string {
  // Infinity (1e400 as YAML and JSON.parse read it, or YAML .inf) and NaN (YAML .nan) are numbers to JavaScript, not to zod.
  if ('input' in issue && typeof issue.input === 'number' && !Number.isFinite(issue.input) && (issue.expected === 'number' || issue.expected === 'int')) {
    return `must be a finite number, not ${issue.input}`;
  }
  const must = `must be ${expectedNoun(issue.expected, words)}`;
  if (!('input' in issue)) return `${must}, not ${expectedNoun(DEFAULT_TYPE.exec(issue.message)![1]!, words)}`;
  // `int`: a number with a fraction (or past 2^53), shown as it is.
  if (issue.expected === 'int' && typeof issue.input === 'number') return `${must} (got ${issue.input})`;
  return `${must}, not ${describeValue(issue.input, words)}`;
}

/** `the string "5"`, `the number 5`, `true`, `a list`, `empty`. */
function describeValue(value: unknown, words: ShapeWords): string {
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (value === null) return words.null;
  if (Array.isArray(value)) return words.array;
  if (typeof value === 'object') return words.object;
  return `a ${typeof value}`;
}

function quote(text: string): string {
  const chars = [...text];
  return JSON.stringify(chars.length > MAX_QUOTED ? `${chars.slice(0, MAX_QUOTED).join('')}…` : text);
}

function boundPhrase(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string | null {
  const big = issue.code === 'too_big';
  const limit = String(big ? issue.maximum : issue.minimum);
  const input = 'input' in issue ? issue.input : undefined;
  switch (issue.origin) {
    case 'number':
    case 'int':
    case 'bigint': {
      const got = typeof input === 'number' || typeof input === 'bigint' ? ` (got ${input})` : '';
      if (issue.exact) return `must be exactly ${limit}${got}`;
      if (big) return `${issue.inclusive ? `must be at most ${limit}` : `must be less than ${limit}`}${got}`;
      return `${issue.inclusive ? `must be ${limit} or more` : `must be more than ${limit}`}${got}`;
    }
    case 'string': {
      const length = typeof input === 'string' ? input.length : undefined;
      if (!big && issue.inclusive && limit === '1') return 'must not be empty';
      return `must be ${sizeWords(issue, limit, 'character')} long${length === undefined ? '' : ` (got ${length})`}`;
    }
    case 'array':
    case 'set': {
      const count = Array.isArray(input) ? input.length : undefined;
      if (!big && issue.inclusive && limit === '1') return 'must not be empty';
      return `must have ${sizeWords(issue, limit, 'item')}${count === undefined ? '' : ` (got ${count})`}`;
    }
    default:
      return null;
  }
}

/** `at most 64 characters`, `at least 2 items`, `exactly 1 item`, `more than 3 items`. */
function sizeWords(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall, limit: string, unit: string): string {
  const big = issue.code === 'too_big';
  const how = issue.exact ? 'exactly' : big ? (issue.inclusive ? 'at most' : 'fewer than') : issue.inclusive ? 'at least' : 'more than';
  return `${how} ${limit} ${unit}${limit === '1' ? '' : 's'}`;
}
