import { Box } from 'ink';
import type { BudgetView } from '../view/budget-view.js';
import { LinePanel } from './LineText.js';

/** One gauge per budget instance: green, yellow, red by share used, with reset time; blocked ones marked. */
export function Budgets({ budgets, width }: { budgets: BudgetView; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <LinePanel title={budgets.title} rows={budgets.rows} />
    </Box>
  );
}
