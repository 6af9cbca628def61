/** The token of an `Authorization: Bearer <token>` header value, or null. */
export function bearerToken(authorization: string | undefined): string | null {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}
