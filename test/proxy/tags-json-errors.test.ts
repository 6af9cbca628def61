import { describe, expect, it } from 'vitest';
import { parseTags } from '../../src/proxy/tags.js';

/**
 * A header that is not JSON is refused in tokometer's words, the same on Bun and Node, with
 * what to send; a header sent twice (the runtime joins the two lines with ", ") is named as
 * such (found by a new-user trial: "X-Metering-Tags is not valid JSON: JSON Parse error:
 * Unable to parse JSON string", Bun's words, for two header lines).
 */
const errorOf = (header: string) => {
  const r = parseTags(header);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
};
const EXAMPLE = 'send one JSON object, e.g. {"feature":"summarizer","user_id":"u_42"}';

describe('X-Metering-Tags that does not parse', () => {
  it('a header sent twice is named as such', () => {
    const twice = errorOf('{"feature":"chat"}, {"user_id":"u_42"}');
    expect(twice).toBe('X-Metering-Tags was sent 2 times (repeated header lines arrive joined by ", "): send it once, with one JSON object holding every tag, e.g. {"feature":"summarizer","user_id":"u_42"}');
    expect(errorOf('{"a":"1"},{"b":"2"}, {"c":3}')).toMatch(/^X-Metering-Tags was sent 3 times /);
  });

  it('not JSON: what is wrong and what to send, in the tool words, never the runtime message', () => {
    expect(errorOf('{"feature":')).toBe(`X-Metering-Tags is not valid JSON: it ends before the object closes; ${EXAMPLE}`);
    expect(errorOf("{'a':1}")).toBe(`X-Metering-Tags is not valid JSON: strings take double quotes, not single ones; ${EXAMPLE}`);
    expect(errorOf('{feature: "chat"}')).toBe(`X-Metering-Tags is not valid JSON: keys must be strings in double quotes; ${EXAMPLE}`);
    expect(errorOf('feature=chat')).toBe(`X-Metering-Tags is not valid JSON; ${EXAMPLE}`);
    for (const header of ['{"feature":', "{'a':1}", 'feature=chat', '{"a":"1"} {"b":"2"}']) {
      expect(errorOf(header)).not.toMatch(/JSON Parse error|Unexpected|position|token/);
    }
  });
});
