import { describe, expect, it } from 'vitest';
import { parseWhere } from '../../src/report/where.js';

describe('parseWhere (report --where, audit --where, /admin/spend where=)', () => {
  it('reads key=value and key!=value, the key up to the first = or !=', () => {
    expect(parseWhere('feature=chat', '--where')).toEqual({ key: 'feature', op: '=', value: 'chat' });
    expect(parseWhere(' user_tier != free', '--where')).toEqual({ key: 'user_tier', op: '!=', value: ' free' });
    expect(parseWhere('url=a=b', 'where')).toEqual({ key: 'url', op: '=', value: 'a=b' });
  });

  it('selects the empty tag value with "" (the report labels that group ""), and calls without the tag with (none)', () => {
    expect(parseWhere('feature=""', '--where')).toEqual({ key: 'feature', op: '=', value: '' });
    expect(parseWhere('feature!=""', 'where')).toEqual({ key: 'feature', op: '!=', value: '' });
    expect(parseWhere('feature=(none)', '--where')).toEqual({ key: 'feature', op: '=', value: '(none)' });
  });

  it('names the flag or parameter and both special values when the text is not a filter', () => {
    expect(() => parseWhere('feature=', '--where')).toThrow('--where "feature=" must look like key=value or key!=value (value "(none)" matches calls without the tag, "" the empty value).');
    expect(() => parseWhere('=x', 'where')).toThrow(/^where "=x" must look like key=value/);
  });
});
