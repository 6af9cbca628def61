import type { BudgetService } from '../budget/service.js';
import type { KeyDeclaration } from '../keys/effective.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../proxy/log.js';
import type { EconomicsConfig } from '../report/unit-economics.js';
import type { SqlDriver, Store } from '../store/types.js';

/** What the admin API needs; built once by startProxy. */
export interface AdminDeps {
  /** `admin.token` (or TOKOMETER_ADMIN_TOKEN); never empty. */
  token: string;
  store: Store;
  /**
   * The connection the spend route's report reads run on, until the report engine reads
   * through the store (issue #15: `store.reports`); nothing else may use it.
   */
  reportDriver: SqlDriver;
  /** The proxy's key table: reloaded (and awaited) after every change so it applies to the next request. */
  keys: { reload(): Promise<void> };
  /** The running budgets; null when budgets are not enforced by this proxy. */
  budgets: BudgetService | null;
  clock: Clock;
  /** Config `timezone` (report days, since/until words). */
  timeZone: string;
  economics: EconomicsConfig;
  /** The config's key declarations (`keys:`), whose settings win over stored ones (PATCH warns about them). */
  configKeys: Readonly<Record<string, KeyDeclaration>>;
  /** Writes pending call records before a report is read. */
  flush?: () => void;
  log: Logger;
}
