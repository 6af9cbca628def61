import { startHarness, UPSTREAM_KEY } from '../support/proxy-harness.js';
import { faultConfig, upstreamFaultSuite } from '../support/upstream-fault-suite.js';

upstreamFaultSuite('Node edge, undici', (upstreamUrl) => startHarness({ upstream: { reply: () => undefined }, configYaml: () => faultConfig(upstreamUrl, UPSTREAM_KEY) }));
