import type { PriceDescription, RateSet } from '../pricing/types.js';

/** USD per 1M tokens, at least 2 and at most 6 decimals; '-' for no separate price. */
export function usd(perMillion: number | null): string {
  if (perMillion === null) return '-';
  const [whole, frac = ''] = perMillion.toFixed(6).replace(/0+$/, '').split('.');
  return `$${whole}.${frac.padEnd(2, '0')}`;
}

/**
 * How `prices` shows one price of a RateSet.
 * - `label`: its line in `prices show` (at most 17 characters: the lines pad labels to 18).
 * - `fallback`: what an absent price is billed as, shown when absent; '' = the line is shown only when priced.
 * - `list`: where `prices list` shows it: a column of its own, the notes (prices not per token),
 *   a mark (`+audio`) in the notes saying the model has it, or only in the line under the
 *   table naming what `prices show` adds (`show`: prices most models of a provider share,
 *   which a mark on every row would only widen).
 */
export interface RateLabel {
  label: string;
  fallback: string;
  list: 'column' | 'note' | 'show' | `+${string}`;
}

/**
 * Every price the pricer can apply, in `prices show` order. A Record over the RateSet's
 * fields, so a price added to RateSet does not compile until it has a label here (and
 * test/pricing/prices-every-rate.test.ts shows each metered catalog key's price).
 */
export const RATE_LABELS: Readonly<Record<keyof RateSet, RateLabel>> = {
  input: { label: 'input', fallback: 'not billed', list: 'column' },
  cachedInput: { label: 'cached input', fallback: 'billed as input', list: 'column' },
  cacheWrite: { label: 'cache write (5m)', fallback: 'billed as input', list: 'column' },
  cacheWrite1h: { label: 'cache write (1h)', fallback: 'billed as cache write', list: 'show' },
  output: { label: 'output', fallback: 'not billed', list: 'column' },
  inputAudio: { label: 'audio input', fallback: '', list: '+audio' },
  // Cached audio: its own price, else the cached input price, else the audio price (compute.ts).
  cachedInputAudio: { label: 'cached audio', fallback: '', list: '+audio' },
  inputImage: { label: 'image input', fallback: '', list: '+image' },
  outputAudio: { label: 'audio output', fallback: '', list: '+audio' },
  outputImage: { label: 'image output', fallback: '', list: '+image' },
  outputReasoning: { label: 'reasoning output', fallback: '', list: '+reasoning' },
  // Per 1,000 uses, not per 1M tokens; named by tool now that a model can charge for two kinds of search.
  webSearch: { label: 'web search /1k', fallback: '', list: 'show' },
  fileSearch: { label: 'file search /1k', fallback: '', list: 'show' },
  // Per hour of input audio, not per 1M tokens (whisper-1: the seconds a call reports × this / 3600).
  audioHour: { label: 'audio /hour', fallback: '', list: 'note' },
  // Per 1,000 pages of a document (Mistral OCR), an annotated page billed at its own price instead.
  documentPage: { label: 'pages /1k', fallback: '', list: 'note' },
  annotatedPage: { label: 'annotated pg /1k', fallback: '', list: 'note' },
};

const FIELDS = Object.keys(RATE_LABELS) as Array<keyof RateSet>;

/** The prices not per token that can be a model's only ones: per hour of audio (whisper-1), per page (Mistral OCR). */
export const PER_HOUR: ReadonlyArray<keyof RateSet> = ['audioHour'];
export const PER_PAGE: ReadonlyArray<keyof RateSet> = ['documentPage', 'annotatedPage'];

/** True when `rates` has a price among `keys` and no other: no token price to list. */
export function onlyPricedBy(rates: RateSet, keys: ReadonlyArray<keyof RateSet>): boolean {
  return keys.some((k) => rates[k] !== null) && FIELDS.every((k) => keys.includes(k) || rates[k] === null);
}

/**
 * The marks (`+audio`, `+search`…) of the prices `prices list` has no column for, that a
 * model has at its base price or in a tier: distinct, in RATE_LABELS order.
 */
export function moreMarks(d: PriceDescription): string[] {
  const sets = [d.rates, ...d.tiers.map((t) => t.rates)];
  const marks = FIELDS.filter((k) => sets.some((r) => r[k] !== null)).map((k) => RATE_LABELS[k].list);
  return [...new Set(marks.filter((m): m is `+${string}` => m.startsWith('+')))];
}

/** Every mark `moreMarks` can give, in RATE_LABELS order: for the lines under `prices list`. */
export const MORE_MARKS: readonly string[] = [...new Set(FIELDS.map((k) => RATE_LABELS[k].list).filter((m) => m.startsWith('+')))];

/** The `prices show` labels of the prices `prices list` neither shows nor marks. */
export const SHOW_ONLY: readonly string[] = FIELDS.filter((k) => RATE_LABELS[k].list === 'show').map((k) => RATE_LABELS[k].label);

/**
 * One line per price of `rates`. For a config entry that takes some prices from the catalog
 * (`inherited`), each price says where it comes from: `(config)` or `(catalog SOURCE)`; in the
 * lines of the tier above `above` input tokens, an entry's price held at every size where the
 * catalog's changes (`inherited.untiered`) says so, with the catalog's price there.
 */
export function rateLines(rates: RateSet, indent: string, inherited?: PriceDescription['inherited'], above?: number): string[] {
  const notPerToken = onlyPricedBy(rates, PER_HOUR) || onlyPricedBy(rates, PER_PAGE);
  const shown = (key: keyof RateSet, fallback: string) =>
    rates[key] !== null || (!notPerToken && fallback !== '' && (key !== 'cacheWrite1h' || rates.cacheWrite !== null));
  const flat = (key: keyof RateSet) => (above === undefined ? undefined : inherited?.untiered?.filter((u) => u.field === key && u.aboveInputTokens <= above).at(-1));
  const own = (key: keyof RateSet) => {
    const f = flat(key);
    return f === undefined || above === undefined ? '  (config)' : `  (config, at every size: the entry gives no price above ${above.toLocaleString('en-US')}; the catalog's is ${usd(f.catalog)})`;
  };
  const origin = (key: keyof RateSet) => (inherited === undefined ? '' : inherited.fields.includes(key) ? `  (catalog ${inherited.source})` : own(key));
  return FIELDS.filter((key) => shown(key, RATE_LABELS[key].fallback)).map((key) => {
    const { label, fallback } = RATE_LABELS[key];
    return `${indent}${label.padEnd(18)}${rates[key] === null ? `-  (${fallback})` : `${usd(rates[key])}${origin(key)}`}`;
  });
}
