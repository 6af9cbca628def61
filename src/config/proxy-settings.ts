import type { ProxySettings } from '../proxy/settings.js';
import { tagBudgetFromConfig } from './budgets.js';
import { keyDeclarations } from './keys.js';
import { providerSettings } from './providers.js';
import { telemetryOptions } from './telemetry-schema.js';
import type { Config } from './schema.js';

/** A loaded config as the proxy takes it (proxy/settings.ts): plain values, no config shapes past here. */
export function proxySettings(config: Config): ProxySettings {
  return {
    listen: { host: config.listen.host, port: config.listen.port },
    timeZone: config.timezone,
    ...(config.retention_days !== undefined ? { retentionDays: config.retention_days } : {}),
    providers: providerSettings(config.providers),
    keys: keyDeclarations(config.keys),
    telemetry: telemetryOptions(config.telemetry),
    tagBudgets: config.budgets.map(tagBudgetFromConfig),
    budgetAdmissionWaitMs: config.budget_admission_wait_ms,
    budgetOutputHold: config.budget_output_hold,
    tagsOnInvalid: config.tags.on_invalid,
    ...(config.alerts.webhook_url !== undefined ? { alertsWebhookUrl: config.alerts.webhook_url } : {}),
    ...(config.admin.token !== undefined ? { adminToken: config.admin.token } : {}),
    economics: config.economics,
    limits: {
      maxBodyBytes: config.limits.max_body_bytes,
      clientHeaderTimeoutMs: config.limits.client_header_timeout_ms,
      clientBodyTimeoutMs: config.limits.client_body_timeout_ms,
      shutdownGraceMs: config.limits.shutdown_grace_ms,
      backgroundPollMs: config.limits.background_poll_ms,
      backgroundMaxWaitMs: config.limits.background_max_wait_ms,
    },
    ...(config.tls ? { tls: config.tls } : {}),
    store: {
      flushIntervalMs: config.store.flush_interval_ms,
      onError: config.store.on_error,
      maxBufferedRecords: config.store.max_buffered_records,
      spillMaxBytes: config.store.spill_max_bytes,
    },
  };
}
