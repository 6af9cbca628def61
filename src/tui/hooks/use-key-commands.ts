import { useInput } from 'ink';
import { commandFor, type Action, type UiState, type ViewFacts } from '../state.js';

/** Turns key presses into state actions (state.ts decides which), or into quitting. */
export function useKeyCommands(state: UiState, facts: ViewFacts, dispatch: (a: Action) => void, quit: () => void): void {
  useInput((input, key) => {
    const command = commandFor(input, key, state, facts);
    if (command === null) return;
    if (command.type === 'quit') quit();
    else dispatch(command);
  });
}
