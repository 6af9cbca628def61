/**
 * How the product writes which instance of a budget it means, after the budget's name:
 * `''` for a key budget or a shared tag budget (one instance), ` (user_id=u_42)` for one
 * instance of a `per` tag budget, ` (calls without a user_id)` for the instance the calls
 * without that tag share. A tag value without a known `per` reads ` (tag=u_42)`.
 * Used by serve's refusal and alert log lines (and the webhook's text) and the TUI's alerts panel, so all spell it alike.
 */
export function instanceSuffix(per: string | null | undefined, tagValue: string | null): string {
  if (tagValue !== null) return ` (${per ?? 'tag'}=${tagValue})`;
  return per ? ` (calls without a ${per})` : '';
}
