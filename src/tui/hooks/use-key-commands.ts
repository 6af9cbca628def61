import { useInput } from 'ink';
import { useRef } from 'react';
import type { Action, ViewFacts } from '../state.js';

/**
 * Sends every key press to the reducer together with what the screen showed when it was
 * pressed (the last rendered facts, kept in a ref so a handler subscribed by an older
 * render still sees them). Which key does what is decided in state.ts.
 */
export function useKeyCommands(facts: ViewFacts, dispatch: (a: Action) => void): void {
  const shown = useRef(facts);
  shown.current = facts;
  useInput((input, key) => dispatch({ type: 'key', input, key, facts: shown.current }));
}
