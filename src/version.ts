/** tokometer's version, printed by `tokometer --version`. Kept in step with package.json. */
export const VERSION = '0.1.0';
