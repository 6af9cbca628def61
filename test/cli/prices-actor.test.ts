import { describe, expect, it } from 'vitest';
import { actorName } from '../../src/cli/prices-reprice.js';

/** `prices history` names who ran a reprice as user@host: never `unknown` while the process has a user. */
describe('actorName', () => {
  const host = () => 'vm';
  const noPasswdEntry = () => {
    throw new Error('ENOENT: no such file or directory, uv_os_get_passwd');
  };

  it("is the account's name when the system knows it, whatever $USER says", () => {
    expect(actorName({ USER: 'someone-else' }, { username: () => 'ana', uid: () => 1000, hostname: host })).toBe('ana@vm');
  });

  it('falls back to $USER, then $LOGNAME, when the uid has no account entry (a container running as a bare uid)', () => {
    expect(actorName({ USER: 'bob' }, { username: noPasswdEntry, uid: () => 1001, hostname: host })).toBe('bob@vm');
    expect(actorName({ LOGNAME: 'carol' }, { username: noPasswdEntry, uid: () => 1001, hostname: host })).toBe('carol@vm');
  });

  it('names the uid, not "unknown", when neither the system nor the environment has a name', () => {
    expect(actorName({}, { username: noPasswdEntry, uid: () => 1001, hostname: host })).toBe('uid-1001@vm');
    expect(actorName({ USER: '' }, { username: () => '', uid: () => 1001, hostname: host })).toBe('uid-1001@vm');
  });

  it('is unknown only where there is no uid either (Windows without a profile)', () => {
    expect(actorName({}, { username: noPasswdEntry, uid: () => undefined, hostname: host })).toBe('unknown@vm');
  });
});
