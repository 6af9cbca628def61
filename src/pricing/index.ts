/** Cost from usage: the price catalog, tokometer's overrides and config prices, in integer nano-USD. */
export { createPricer, price, type Pricer, type PricerOptions } from './pricer.js';
export { CATALOG_SOURCE, CATALOG_PROVIDER_IDS, catalogProviderId, stripDateSuffix } from './catalog.js';
export type { ConfiguredPrice, CostBreakdown, PriceContext, PriceDescription, PriceResult, PriceSource, RateSet } from './types.js';
