/**
 * One small chat completion through a running proxy, tagged `req=<id>` so a test can find
 * its row afterwards (the load loops of the crash and outage tests). Resolves with the
 * status and body; rejects when the connection fails.
 */
export async function taggedCall(proxyUrl: string, secret: string, id: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${proxyUrl}/proxy/openai/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'x-metering-tags': JSON.stringify({ req: id }) },
    body: '{"model":"gpt-4o-mini","messages":[]}',
  });
  return { status: res.status, text: await res.text() };
}
