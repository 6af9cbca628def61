import type { BudgetService } from '../budget/service.js';
import type { KeyDeclaration } from '../keys/effective.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../proxy/log.js';
import type { EconomicsConfig } from '../report/unit-economics.js';
import type { ReportReads } from '../store/read/report/index.js';
import type { Store } from '../store/facade.js';

/** What the admin API needs; built once by startProxy. */
export interface AdminDeps {
  /** `admin.token` (or TOKOMETER_ADMIN_TOKEN); never empty. */
  token: string;
  store: Store;
  /** The proxy's key table: reloaded (and awaited) after every change so it applies to the next request. */
  keys: { reload(): Promise<void> };
  /** The running budgets; null when budgets are not enforced by this proxy. */
  budgets: BudgetService | null;
  clock: Clock;
  /** Config `timezone` (report days, since/until words). */
  timeZone: string;
  economics: EconomicsConfig;
  /** Providers this proxy serves (built in and configured): a key's `providers` allow-list may name only these. Absent: not checked. */
  providerNames?: ReadonlySet<string>;
  /** The config's key declarations (`keys:`), whose settings win over stored ones (PATCH warns about them). */
  configKeys: Readonly<Record<string, KeyDeclaration>>;
  /** What /admin/spend reads reports through (never the writer's connection). */
  reports: ReportReads;
  /** Writes pending call records before a report is read, without blocking the event loop. */
  flush?: () => Promise<unknown>;
  log: Logger;
}
