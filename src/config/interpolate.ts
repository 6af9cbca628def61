import { type Document, isMap, isScalar, isSeq } from 'yaml';
import { type Result, ok, err } from '../lib/result.js';
import { type FieldPath, type Problem, keyText } from './problems.js';

/**
 * `${VAR}` interpolation in the string scalars of a config document, done on the YAML
 * tree (before validation) so problems keep their source positions.
 *
 * - `${VAR}`: the variable's value; unset → a problem naming the variable and field.
 *   A variable set to the empty string gives ''.
 * - `${VAR:-default}`: the default when VAR is unset or empty.
 * - `$${` is a literal `${`.
 * - An unquoted scalar that was entirely one reference is re-read as a number or
 *   boolean when its value looks like one (`port: ${PORT:-8787}` gives 8787).
 *   Quoted scalars always stay strings. Map keys are never interpolated.
 */

type Env = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const WHOLE_REFERENCE = /^\$\{[^}]*\}$/;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Interpolates every string scalar in `doc` in place, except those at or under a path
 * `skip` gives true for (left as written); returns the problems found.
 */
export function interpolateDocument(doc: Document, env: Env, skip: (path: FieldPath) => boolean = () => false): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: unknown, path: FieldPath): void => {
    if (skip(path)) return;
    if (isMap(node)) {
      for (const pair of node.items) walk(pair.value, [...path, keyText(pair.key)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const result = interpolateString(node.value, env);
      if (!result.ok) {
        problems.push({ path, message: result.error, ...(node.range ? { offset: node.range[0] } : {}) });
        return;
      }
      node.value = node.type === 'PLAIN' && WHOLE_REFERENCE.test(node.value) ? coerce(result.value) : result.value;
    }
  };
  walk(doc.contents, []);
  return problems;
}

/** Replaces the references in one string. The error names the first bad reference. */
export function interpolateString(text: string, env: Env): Result<string, string> {
  let problem = null as string | null;
  const out = text.replace(REFERENCE, (match: string, inner: string | undefined) => {
    if (problem !== null) return match;
    if (match === '$${') return '${';
    if (inner === undefined) {
      problem = 'unterminated ${ (write $${ for a literal "${")';
      return match;
    }
    const parts = INNER.exec(inner);
    if (!parts) {
      problem = `invalid reference \${${inner}} (expected \${NAME} or \${NAME:-default})`;
      return match;
    }
    const name = parts[1] as string;
    const fallback = parts[2];
    const value = env[name];
    if (fallback !== undefined) return value ? value : fallback;
    if (value === undefined) {
      problem = `environment variable ${name} is not set (write \${${name}:-} to allow it to be empty)`;
      return match;
    }
    return value;
  });
  return problem === null ? ok(out) : err(problem);
}

function coerce(value: string): string | number | boolean {
  if (NUMBER.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}
