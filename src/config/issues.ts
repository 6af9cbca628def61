import type { z } from 'zod';
import { YAML_WORDS, expectedNoun, isMissing, issuePhrase } from '../schemas/issue-text.js';
import { suggestKey } from './key-suggestions.js';
import type { FieldPath, Problem } from './problems.js';
import { isSecretField } from './secret-fields.js';

/**
 * Turns zod issues into config problems with short, specific messages
 * (`must be a number, not the string "5"`, `must be at most 65535 (got 70000)`: schemas/issue-text.ts;
 * `unknown key "budgt"; did you mean "budget"?`, by meaning too: key-suggestions.ts).
 */

type Issue = z.core.$ZodIssue;

export function problemsFromIssues(issues: readonly Issue[], schema: z.ZodType): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((seg): seg is string | number => typeof seg !== 'symbol');
    if (isSecretField(path) && !isMissing(issue)) {
      problems.push({ path, message: secretMessage(issue) });
      continue;
    }
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeys(schema, path);
        for (const key of issue.keys) problems.push({ path: [...path, key], onKey: true, message: unknownKeyMessage(key, allowed) });
        break;
      }
      case 'invalid_key':
        problems.push({ path, onKey: true, message: issue.issues.map((i) => i.message).join('; ') || 'invalid key' });
        break;
      case 'invalid_value':
        problems.push({ path, message: `expected one of ${issue.values.map(show).join(', ')}${'input' in issue && issue.input !== undefined ? `, got ${show(issue.input)}` : ''}` });
        break;
      case 'invalid_union':
        problems.push({ path, message: issuePhrase(issue, YAML_WORDS) ?? unionMessage(issue) });
        break;
      case 'invalid_type': {
        if (isMissing(issue)) {
          problems.push({ path, message: `required field missing (expected ${expectedNoun(issue.expected, YAML_WORDS)})` });
          break;
        }
        const phrase = issuePhrase(issue, YAML_WORDS) ?? plainMessage(issue.message);
        problems.push({ path, message: path.length === 0 ? `the top level ${phrase.replace(/^must be a mapping/, 'must be a mapping of sections (listen:, providers:, keys:, ...)')}` : phrase });
        break;
      }
      default:
        problems.push({ path, message: issuePhrase(issue, YAML_WORDS) ?? plainMessage(issue.message) });
    }
  }
  return problems;
}

/**
 * The problem of a secret field, which never shows the value (nor a number's rounding of it):
 * `must be a string (quote it)` for another type; the schema's own words for its checks
 * (a control character, not a URL), which name no value.
 */
function secretMessage(issue: Issue): string {
  if (issue.code === 'invalid_type' && issue.expected === 'string') return 'must be a string (quote it)';
  if (issue.code === 'custom' || issue.code === 'invalid_format' || issue.code === 'invalid_type') return plainMessage(issue.message);
  return 'is not a valid value (a secret: its value is not shown)';
}

function plainMessage(message: string): string {
  const text = message.replace(/^Invalid input: /, '');
  const missing = /^expected (.+), received undefined$/.exec(text);
  return missing ? `required field missing (expected ${missing[1]})` : text;
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected: string[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    if (branch.length !== 1 || first?.code !== 'invalid_type') return plainMessage(first?.message ?? issue.message);
    expected.push(first.expected);
  }
  const received = 'input' in issue ? typeName(issue.input) : undefined;
  const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}` : expected.join('');
  return received === 'undefined' ? `required field missing (expected ${list})` : `expected ${list}${received ? `, received ${received}` : ''}`;
}

function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return `unknown key ${JSON.stringify(key)}`;
  const close = suggestKey(key, allowed);
  const hint = close ? `; did you mean ${JSON.stringify(close)}?` : '';
  return `unknown key ${JSON.stringify(key)}${hint} (allowed: ${allowed.join(', ')})`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType; valueType?: z.ZodType; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType };

/** Keys of the object schema at `path` (for "allowed: ..."), or [] when it is not an object. */
export function allowedKeys(schema: z.ZodType, path: FieldPath): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!current) return [];
    const def = defOf(current);
    if (def.type === 'object') current = def.shape?.[String(seg)] ?? def.catchall;
    else if (def.type === 'record') current = def.valueType;
    else if (def.type === 'array' && typeof seg === 'number') current = def.element;
    else return [];
    current = current && unwrap(current);
  }
  const def = current && defOf(current);
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Looks through optional/default/pipe wrappers to the schema that holds the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(current);
    const inner = def.type === 'pipe' ? def.in : def.innerType;
    if (!inner) return current;
    current = inner;
  }
  return current;
}
