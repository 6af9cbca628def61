import { describe, expect, it, vi } from 'vitest';
import { DEPARTURE_LISTEN_AFTER_MS, watchDeparture } from '../../src/proxy/departure.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Past the delay, with room for the shared timer's turn. */
const PAST_DELAY_MS = DEPARTURE_LISTEN_AFTER_MS * 3;

describe('watchDeparture', () => {
  it('tells at once about a client that left before the watch began', () => {
    const controller = new AbortController();
    controller.abort();
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, true);
    expect(onLeave).toHaveBeenCalledTimes(1);
    stop();
    expect(onLeave).toHaveBeenCalledTimes(1);
  });

  it('without the delay (streams) listens at once and tells at once', () => {
    const controller = new AbortController();
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, false);
    controller.abort();
    expect(onLeave).toHaveBeenCalledTimes(1);
    stop();
  });

  it('without the delay, stop removes the listener', () => {
    const controller = new AbortController();
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, false);
    stop();
    controller.abort();
    expect(onLeave).not.toHaveBeenCalled();
  });

  it('adds no listener to a call that ends within the delay, and then never tells', async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, 'addEventListener');
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, true);
    stop();
    await sleep(PAST_DELAY_MS);
    controller.abort();
    expect(add).not.toHaveBeenCalled();
    expect(onLeave).not.toHaveBeenCalled();
  });

  it('notices a client that left during the delay once the delay has passed', async () => {
    const controller = new AbortController();
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, true);
    controller.abort();
    expect(onLeave).not.toHaveBeenCalled();
    await sleep(PAST_DELAY_MS);
    expect(onLeave).toHaveBeenCalledTimes(1);
    stop();
  });

  it('listens after the delay: a later departure is told at once, exactly once', async () => {
    const controller = new AbortController();
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, true);
    await sleep(PAST_DELAY_MS);
    expect(onLeave).not.toHaveBeenCalled();
    controller.abort();
    expect(onLeave).toHaveBeenCalledTimes(1);
    controller.signal.dispatchEvent(new Event('abort'));
    expect(onLeave).toHaveBeenCalledTimes(1);
    stop();
  });

  it('removes its listener when stopped after the delay', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const onLeave = vi.fn();
    const stop = watchDeparture(controller.signal, onLeave, true);
    await sleep(PAST_DELAY_MS);
    stop();
    stop();
    expect(remove).toHaveBeenCalledTimes(1);
    controller.abort();
    expect(onLeave).not.toHaveBeenCalled();
  });
});
