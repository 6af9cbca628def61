import { Box } from 'ink';
import type { Line } from '../view/text.js';
import { LineText } from './LineText.js';

/** Title (period, range, filters, source) and the period's figures (spend, calls, active users, projection). */
export function Header({ title, figures }: { title: Line; figures: Line }) {
  return (
    <Box flexDirection="column">
      <LineText line={title} />
      <LineText line={figures} />
    </Box>
  );
}
