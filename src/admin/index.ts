/**
 * The admin API (SPEC §6) and the audited key operations it shares with `tokometer keys`.
 */
export { createAdminHandler } from './handler.js';
export type { AdminDeps } from './deps.js';
export { AdminError } from './http.js';
export { KEY_NAME_RE, budgetJson, createKeyAudited, keyJson, revokeKeyAudited, updateKeyAudited, type KeyPatch, type NewKeyInput } from './key-ops.js';
export { bearerToken, tokenMatches } from './token.js';
