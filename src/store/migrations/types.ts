/**
 * One schema change. Versions start at 1 and increase by 1 with no gaps; a released
 * migration is never edited, only followed by a new one. `up` may hold several
 * statements and runs inside one transaction together with the user_version bump.
 */
export interface Migration {
  version: number;
  name: string;
  up: string;
}
