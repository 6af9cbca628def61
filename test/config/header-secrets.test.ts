import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lib/errors.js';
import { loadYaml } from './config-files.js';
import { thrownBy } from './thrown.js';

/**
 * Provider keys and the admin token go into headers. A secret mounted from a file often
 * ends with a line break: it is used without it. One with a control character inside
 * cannot be sent: the config is refused, naming the field and never the value.
 */
describe('secrets sent in headers', () => {
  it('reads a provider key and the admin token from the environment without their line end', () => {
    const { config } = loadYaml('timezone: UTC\n', { OPENAI_API_KEY: 'sk-env-1\n', TOKOMETER_ADMIN_TOKEN: ' admin-tok\r\n' });
    expect(config.providers.openai?.api_key).toBe('sk-env-1');
    expect(config.admin.token).toBe('admin-tok');
  });

  it('reads a configured key without its surrounding whitespace', () => {
    const { config } = loadYaml('providers:\n  anthropic: { api_key: "  sk-ant-1\\n" }\n');
    expect(config.providers.anthropic?.api_key).toBe('sk-ant-1');
  });

  it('refuses a configured key with a control character inside, naming the field and line, not the key', () => {
    const error = thrownBy(() => loadYaml('providers:\n  openai: { api_key: "sk-abc\\tdef" }\n'), ConfigError);
    expect(error.message).toContain('providers.openai.api_key');
    expect(error.message).toMatch(/control character/);
    expect(error.message).not.toContain('sk-abc');
  });

  it('refuses a key from the environment with a line break inside, naming the variable', () => {
    const error = thrownBy(() => loadYaml('timezone: UTC\n', { MISTRAL_API_KEY: 'first\nsecond' }), ConfigError);
    expect(error.message).toContain('providers.mistral.api_key (from MISTRAL_API_KEY)');
    expect(error.message).not.toContain('first');
  });
});
