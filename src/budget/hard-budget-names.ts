import { Reservation } from './reservation.js';

/**
 * Names of the hard (not soft) budgets `reservation` holds on, each once (the instances of
 * a `per` budget share its name): a key budget is named after its key, a tag budget after
 * its `budgets:` entry. Empty for a reservation on no hard budget, and for anything that is
 * not the ledger's Reservation (a gate of another kind: the proxy passes its reservations
 * through as opaque values). Read at settle time, so a budget made soft since counts as soft.
 */
export function hardBudgetNames(reservation: unknown): string[] {
  const names: string[] = [];
  if (!(reservation instanceof Reservation)) return names;
  for (const counter of reservation.counters) if (!counter.soft && !names.includes(counter.name)) names.push(counter.name);
  return names;
}
