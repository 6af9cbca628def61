/**
 * The bare pass-through proxy on Node (node:http + undici): what any Node proxy costs
 * before it meters anything. /proxy/openai/<rest> → <upstream>/<rest>.
 * Usage: node bench/bare-node.mjs http://127.0.0.1:UPSTREAM_PORT [port]
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { Agent, request } from 'undici';

const upstream = process.argv[2];
const agent = new Agent({ keepAliveTimeout: 30_000, connect: { noDelay: true } });
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);
const pick = (headers) => {
  const out = {};
  for (const k in headers) if (!HOP.has(k)) out[k] = headers[k];
  return out;
};

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const path = req.url.startsWith('/proxy/openai') ? req.url.slice(13) : req.url;
  try {
    const up = await request(upstream + path, { dispatcher: agent, method: req.method, headers: pick(req.headers), body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.writeHead(up.statusCode, pick(up.headers));
    for await (const chunk of up.body) if (!res.write(chunk)) await once(res, 'drain');
    res.end();
  } catch {
    res.destroy();
  }
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
