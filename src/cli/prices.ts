import { notTokenBilledClause } from '../domain/billing-units.js';
import type { Command } from 'commander';
import type { Clock } from '../lib/clock.js';
import { UsageError } from '../lib/errors.js';
import { CATALOG_PROVIDER_IDS, CATALOG_SOURCE, catalogProviderId } from '../pricing/catalog.js';
import { nearCatalogModel } from '../pricing/near-model.js';
import type { Pricer } from '../pricing/pricer.js';
import type { PriceDescription } from '../pricing/types.js';
import { paint, renderGrid, type GridColumn } from '../report/format/text.js';
import { parseInstant } from '../report/time-range.js';
import { MORE_MARKS, PER_HOUR, SHOW_ONLY, PER_PAGE, moreMarks, onlyPricedBy, rateLines, usd } from './prices-rates.js';

export { usd } from './prices-rates.js';
import { unpricedAdvice } from './unpriced-advice.js';

/** A model recorded without a price, with how many calls used it. */
export interface UnpricedModel {
  provider: string;
  model: string;
  calls: number;
  /** True when some of its calls are speech calls recorded without tokens, billed per input character (store/unpriced.ts untokenedSpeechSql). */
  speechWithoutTokens?: boolean;
}

/** What `tokometer prices` needs (habit 7: narrow dependencies). */
export interface PricesCommandDeps {
  /** The pricer for the config named by `--config` (or the default config) and the newest snapshot in the database named by `--db`. */
  pricer: (flags: { config?: string; db?: string }) => Pricer | Promise<Pricer>;
  /** Models recorded with no price, from the store named by `--db` / `--config`. */
  listUnpricedModels: (flags: { db?: string; config?: string }) => UnpricedModel[] | Promise<UnpricedModel[]>;
  out: (text: string) => void;
  /** Now, for `--at` (default, and its relative forms). */
  clock: Clock;
  /** IANA zone from the config named by `--config` (`timezone`), in which `--at` reads dates and named days. */
  timeZone: (configPath?: string) => string;
}

interface Flags {
  provider?: string;
  config?: string;
  db?: string;
  at?: string;
}

/**
 * `tokometer prices list|show|unpriced`: the prices tokometer applies, and the models it
 * could not price. @returns the `prices` command, for the subcommands registered elsewhere.
 */
export function registerPricesCommand(program: Command, deps: PricesCommandDeps): Command {
  // Bare `tokometer prices` runs `prices unpriced` (SPEC §9: "`tokometer prices` lists such
  // models"), unlike bare `keys` and `config`, which print their help: the help says so.
  const prices = program
    .command('prices')
    .description('show the prices tokometer applies (USD per 1M tokens) and models without a price')
    .addHelpText('after', '\nWith no subcommand, `tokometer prices` runs `prices unpriced`: the models seen in recorded calls without a price.');
  const common = (cmd: Command) =>
    cmd
      .option('--provider <name>', `provider (${Object.keys(CATALOG_PROVIDER_IDS).join(', ')}, or a custom one from the config)`)
      .option('--config <file>', 'config file (its prices: section wins over the catalog)')
      .option('--db <path>', 'database file or postgres:// URL (its newest price snapshot wins over the pinned catalog)')
      .option('--at <when>', 'prices valid at this moment: the forms of report --since (30m, 24h, 7d, yesterday, last-month, 2026-11-01, 2026-11-01T09:30 or a timestamp with Z); a day or period means its start in the config timezone (default: now)');

  common(prices.command('list').description('list known prices')).action(async (flags: Flags) => {
    const at = parseAt(flags, deps);
    const pricer = await deps.pricer(flags);
    const list = pricer.list(flags.provider, at);
    const rule = flags.provider === undefined ? '' : catalogRuleNote(flags.provider, pricer.catalogPrices(flags.provider), 'list');
    if (list.length === 0) {
      if (flags.provider !== undefined && !catalogProviderId(flags.provider) && pricer.catalogPrices(flags.provider) === undefined) throw new UsageError(`unknown provider '${flags.provider}' and no config prices for it`);
      deps.out(`No prices.\n${rule}`);
      return;
    }
    const columns: GridColumn[] = [
      { header: 'provider', align: 'left' },
      { header: 'model', align: 'left' },
      ...['input', 'cached input', 'cache write', 'output'].map((header) => ({ header, align: 'right' as const })),
      { header: 'tiers', align: 'left' },
      { header: 'notes', align: 'left' },
    ];
    const rows = list.map((d) => [
      providerName(d.providerId),
      d.source === CATALOG_SOURCE || d.source.startsWith('snapshot:') ? d.modelId : `${d.modelId} (${d.source}${d.inherited ? ` + ${d.inherited.source}` : ''})`,
      usd(d.rates.input),
      usd(d.rates.cachedInput),
      usd(d.rates.cacheWrite),
      usd(d.rates.output),
      d.tiers.map((t) => `>${tokens(t.aboveInputTokens)}: ${usd(t.rates.input)}/${usd(t.rates.output)}`).join('; '),
      notes(d),
    ]);
    const marked = list.some((d) => moreMarks(d).length > 0) ? `Notes ${MORE_MARKS.join(', ')}: the model has such prices too (audio: in, cached, out).\n` : '';
    const more = `${marked}prices show MODEL lists every price, also ${SHOW_ONLY.join(', ')}.\n`;
    const mixed = list.some((d) => d.inherited) ? "'config + SOURCE': the prices the config entry leaves unset are SOURCE's for the same model.\n" : '';
    deps.out(`${renderGrid(columns, rows, paint(false))}\nUSD per 1M tokens. '-' cached input or cache write: billed at the input price.\n${more}${mixed}${unmarkedSources(list)}${rule}`);
  });

  common(prices.command('show <model>').description('show the prices of one model and which source priced it since when')).action(async (model: string, flags: Flags) => {
    const at = parseAt(flags, deps);
    const pricer = await deps.pricer(flags);
    const d = pricer.describe(model, flags.provider, at);
    // No --provider and no provider claims the name: each provider whose model list prices it.
    const found = d !== null ? [d] : flags.provider === undefined ? pricer.describeAtEachProvider(model, at) : [];
    const rule = flags.provider === undefined ? undefined : pricer.catalogPrices(flags.provider);
    if (found.length === 0 && rule === false) {
      const p = flags.provider as string;
      throw new UsageError(
        `unknown model '${model}' at provider '${p}': ${p} is priced only from prices: (catalog_prices: false) and no entry there prices ${model}; ` +
          `add one under 'prices:', or set catalog_prices: true under providers.${p} to use catalog prices for model names it knows`,
      );
    }
    if (found.length === 0) {
      const where = flags.provider === undefined ? '' : ` at provider '${flags.provider}'`;
      const near = nearCatalogModel(model, flags.provider);
      const add = near === undefined ? " (add one under 'prices:')" : `; did you mean ${near.id}? (or add a price under 'prices:')`;
      throw new UsageError(`unknown model '${model}'${where}: no price in the catalog, tokometer's overrides or the config${add}`);
    }
    if (found.length === 1) {
      const d = found[0] as PriceDescription;
      const byName = flags.provider !== undefined && d.source !== 'config' ? catalogRuleNote(flags.provider, rule, 'show') : '';
      return deps.out(`${renderDescription(d, at)}${byName}`);
    }
    const names = found.map((f) => providerName(f.providerId)).join(', ');
    deps.out(`'${model}' is priced by ${found.length} providers: ${names} (pass --provider to show one).\n\n${found.map((f) => renderDescription(f, at)).join('\n')}`);
  });

  prices
    .command('unpriced', { isDefault: true })
    .description('list models seen in recorded calls without a price (cost unknown); `tokometer prices` alone runs it')
    .option('--db <path>', 'database file, or a postgres:// URL')
    .option('--config <file>', 'config file')
    .action(async (flags: Flags) => {
      const models = await deps.listUnpricedModels(flags);
      if (models.length === 0) {
        deps.out('Every recorded call has a price.\n');
        return;
      }
      const columns: GridColumn[] = [
        { header: 'provider', align: 'left' },
        { header: 'model', align: 'left' },
        { header: 'calls', align: 'right' },
      ];
      const rows = models.map((m) => [m.provider, m.model, String(m.calls)]);
      const { rest, lines } = unpricedAdvice(models, await deps.pricer(flags));
      const which = rest.length === models.length ? 'their prices' : `prices for ${rest.map((m) => m.model).join(', ')}`;
      const plain =
        rest.length === 0
          ? ''
          : `These calls are recorded with an unknown cost. Add ${which} under 'prices:' in the config${notTokenBilledClause(
              rest.map((m) => m.model),
              rest.filter((m) => m.speechWithoutTokens === true).map((m) => m.model),
            )}.\n`;
      deps.out(`${renderGrid(columns, rows, paint(false))}\n${plain}${lines.map((l) => `${l}\n`).join('')}`);
    });
  return prices;
}

/** `--at` in ms since the epoch, parsed as report parses `--since` (report/time-range.ts); now without it. */
function parseAt(flags: Flags, deps: Pick<PricesCommandDeps, 'clock' | 'timeZone'>): number {
  if (flags.at === undefined) return deps.clock();
  return parseInstant(flags.at, '--at', { clock: deps.clock, timeZone: deps.timeZone(flags.config) });
}

/**
 * What `prices list|show --provider NAME` adds about the catalog's part in pricing NAME's
 * calls (`rule`: the pricer's catalogPrices(NAME)): for catalog_prices: false, that no
 * catalog price applies (list); for a custom provider the catalog may price, that its calls
 * take the catalog row claiming the model name, which the list cannot show. '' otherwise.
 */
function catalogRuleNote(provider: string, rule: boolean | undefined, command: 'list' | 'show'): string {
  if (rule === false) {
    return command === 'list' ? `${provider} is priced only from prices: (catalog_prices: false): no catalog price applies to its calls; set catalog_prices: true under providers.${provider} to use catalog prices for model names it knows.\n` : '';
  }
  if (rule === undefined || catalogProviderId(provider) !== undefined) return '';
  const head = `${provider} takes catalog prices by model name (catalog_prices: true)`;
  return command === 'show'
    ? `${head}: the row above prices its calls of this model.\n`
    : `${head}: a call is priced at the catalog row of the provider whose model names claim the model (gpt-4o: openai); \`prices show MODEL --provider ${provider}\` shows the one for MODEL.\n`;
}

/** tokometer's name for a catalog provider id (google → gemini, x-ai → xai); '*' for any. */
function providerName(catalogId: string | null): string {
  if (catalogId === null) return '*';
  return Object.keys(CATALOG_PROVIDER_IDS).find((name) => CATALOG_PROVIDER_IDS[name] === catalogId) ?? catalogId;
}

function noTokenPrice(d: PriceDescription): boolean {
  return Object.values(d.rates).every((r) => r === null);
}

function notes(d: PriceDescription): string {
  const out: string[] = [];
  if (noTokenPrice(d)) out.push(d.unmetered.length > 0 ? `not per token (${d.unmetered.join(', ')}): unpriced` : 'free');
  if (d.rates.audioHour !== null) out.push(`${usd(d.rates.audioHour)} per hour of audio`);
  if (d.rates.documentPage !== null) out.push(`${usd(d.rates.documentPage)} per 1,000 pages`);
  if (d.rates.annotatedPage !== null) out.push(`${usd(d.rates.annotatedPage)} per 1,000 annotated pages`);
  if (d.timeDependent) out.push('dated');
  if (d.deprecated) out.push('deprecated');
  const marks = moreMarks(d).join(' ');
  return [out.join(', '), marks].filter((part) => part !== '').join(' ');
}

function tokens(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en-US');
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `HH:MM` (`:SS` when not whole minutes) of `sec` seconds after UTC midnight. */
const clockTime = (sec: number) => new Date(sec * 1000).toISOString().slice(11, sec % 60 === 0 ? 16 : 19);

/** The line naming the catalogs of the rows `list` shows without a `(source)` mark: the newest snapshot, the pinned catalog; '' when none. */
function unmarkedSources(list: readonly PriceDescription[]): string {
  const sources = [...new Set(list.map((d) => d.source).filter((s) => s === CATALOG_SOURCE || s.startsWith('snapshot:')))].sort((a, b) => Number(b.startsWith('snapshot:')) - Number(a.startsWith('snapshot:')));
  if (sources.length === 0) return '';
  const named = sources.map((s) => (s === CATALOG_SOURCE ? `${s} (the pinned catalog)` : `${s} (stored by prices update)`));
  return `Unmarked prices: ${named.join(', ')}.\n`;
}

/**
 * Which source priced it and since when: the snapshot's fetch time, the dated price's start.
 * The pricer applies the newest snapshot to every time, so at an `at` (ms) before it was
 * stored it prices `at` too: said so, rather than a start after the moment shown.
 */
function sourceLines(d: PriceDescription, at: number): string[] {
  const stored = (since: number | undefined) => (since === undefined ? '' : ` (stored ${new Date(since).toISOString()})`);
  const from = d.inherited;
  const catalogPart = from ? `; unset prices from ${from.source} (${providerName(from.providerId)} ${from.modelId})${stored(from.sourceSince)}` : '';
  const lines = [`  source            ${d.source}${stored(d.sourceSince)}${catalogPart}`];
  if (d.window !== undefined) lines.push(`  in force          ${clockTime(d.window.startSec)}–${clockTime(d.window.endSec)} UTC each day (a time-of-day price; other hours differ)`);
  if (d.effectiveFrom !== undefined) lines.push(`  in force since    ${day(d.effectiveFrom)} (dated ${from ? 'catalog ' : ''}price)`);
  else if (d.sourceSince !== undefined && d.sourceSince <= at) lines.push(`  in force since    ${new Date(d.sourceSince).toISOString()} (when the snapshot was stored)`);
  else if (d.sourceSince !== undefined) {
    lines.push(
      `  in force since    ${new Date(d.sourceSince).toISOString()} (when the snapshot was stored), after --at ${new Date(at).toISOString()}:`,
      `${' '.repeat(20)}tokometer prices earlier times with its newest snapshot too; calls recorded before it keep their stored cost until prices reprice`,
    );
  }
  return lines;
}

function renderDescription(d: PriceDescription, at: number): string {
  const lines = [`${d.modelId}${d.name ? `  ${d.name}` : ''}`, `  provider          ${d.providerId === null ? 'any' : providerName(d.providerId)}`, ...sourceLines(d, at)];
  if (d.deprecated) lines.push('  deprecated');
  if (noTokenPrice(d)) {
    lines.push(d.unmetered.length > 0 ? `  not priced per token (${d.unmetered.join(', ')}): calls are recorded unpriced` : '  free: every token costs $0');
    return lines.join('\n') + '\n';
  }
  if (onlyPricedBy(d.rates, PER_HOUR)) lines.push('  priced per second of audio (the seconds a call reports × this / 3600):', ...rateLines(d.rates, '    ', d.inherited));
  else if (onlyPricedBy(d.rates, PER_PAGE)) lines.push('  priced per page (the pages a call reports × this / 1,000):', ...rateLines(d.rates, '    ', d.inherited));
  else lines.push('  USD per 1M tokens:', ...rateLines(d.rates, '    ', d.inherited));
  for (const t of d.tiers) lines.push(`  above ${t.aboveInputTokens.toLocaleString('en-US')} input tokens (applies to the whole call):`, ...rateLines(t.rates, '    ', d.inherited, t.aboveInputTokens));
  if (d.unmetered.length > 0) lines.push(`  not metered: ${d.unmetered.join(', ')}`);
  if (d.timeDependent) lines.push('  price depends on the date/time of the call (use --at to see another moment)');
  return lines.join('\n') + '\n';
}
