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

/** A running load: `clients` loops of taggedCall (ids r0, r1, … across them), until `stop`. */
export interface TaggedLoad {
  /** Ends every loop after its call in flight; resolves when all have ended. */
  stop(): Promise<void>;
}

/**
 * Starts `clients` loops that each send taggedCall after taggedCall (with `pauseMs`
 * between two), telling `onAnswer` every answer. A call that fails to connect is told to
 * `onFailure`, which says whether that loop goes on (a proxy that is away for a while) or
 * ends (one that was killed).
 */
export function taggedLoad(
  proxyUrl: string,
  secret: string,
  o: { clients: number; pauseMs?: number; onAnswer: (id: string, res: { status: number; text: string }) => void; onFailure: (error: unknown) => 'go on' | 'end' },
): TaggedLoad {
  let stopped = false;
  let n = 0;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const id = `r${n++}`;
      try {
        o.onAnswer(id, await taggedCall(proxyUrl, secret, id));
      } catch (error) {
        if (o.onFailure(error) === 'end') return;
      }
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  };
  const loops = Array.from({ length: o.clients }, loop);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
