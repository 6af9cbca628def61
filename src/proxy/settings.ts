import type { OutputHoldMode } from '../budget/output-hold.js';
import type { TagBudget } from '../budget/types.js';
import type { ProviderSettings } from '../providers/registry.js';
import type { EconomicsConfig } from '../report/unit-economics.js';
import type { TlsFiles } from '../server/types.js';
import type { KeyDeclaration } from '../keys/effective.js';
import type { TelemetryOptions } from '../telemetry/types.js';

/**
 * What `startProxy` needs from the configuration, as plain values: config shapes stop at
 * the loader, and `config/proxy-settings.ts` converts a loaded Config into this.
 * Durations in ms, sizes in bytes.
 */
export interface ProxySettings {
  listen: { host: string; port: number };
  /** IANA zone of budget periods and report days. */
  timeZone: string;
  /** Days raw calls are kept; undefined = forever. */
  retentionDays?: number;
  providers: Readonly<Record<string, ProviderSettings>>;
  /** Keys declared in the config by name, in the form the key table takes them (proxy/auth.ts). */
  keys: Readonly<Record<string, KeyDeclaration>>;
  /** OpenTelemetry export (telemetry/settings.ts fills the rest from OTEL_* variables). */
  telemetry: TelemetryOptions;
  tagBudgets: readonly TagBudget[];
  /** `budget_admission_wait_ms`: longest wait for budget room beside calls in flight (0 = refuse at once). */
  budgetAdmissionWaitMs: number;
  /** `budget_output_hold`: what a call without an output limit holds for its output (budget/output-hold.ts). */
  budgetOutputHold: OutputHoldMode;
  /** A malformed X-Metering-Tags header: refuse the call (400) or drop the tags. */
  tagsOnInvalid: 'reject' | 'drop';
  /** Where budget alerts are POSTed; undefined = logged and stored only. */
  alertsWebhookUrl?: string;
  /** The admin API's bearer token; undefined = the admin API is off. */
  adminToken?: string;
  economics: EconomicsConfig;
  limits: {
    maxBodyBytes: number;
    clientHeaderTimeoutMs: number;
    clientBodyTimeoutMs: number;
    /** How long SIGINT/SIGTERM lets calls in flight finish. */
    shutdownGraceMs: number;
    /** Longest wait between two reads of a background response still running (proxy/background-watch.ts). */
    backgroundPollMs: number;
    /** How long a background response may run before its call is recorded with its estimate. */
    backgroundMaxWaitMs: number;
  };
  tls?: TlsFiles;
  store: {
    /** Between batched writes of call records. */
    flushIntervalMs: number;
    /** When records cannot be stored and the buffers are full: keep serving, or refuse calls with 503. */
    onError: 'serve' | 'refuse';
    maxBufferedRecords: number;
    /** Largest spill file. */
    spillMaxBytes: number;
  };
}
