import { Box } from 'ink';
import type { Line } from '../view/text.js';
import { LineText } from './LineText.js';

/** Spend per day of the period as a sparkline (one line, or a title and a line when wide). */
export function Trend({ lines, width }: { lines: readonly Line[]; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l, i) => (
        <LineText key={i} line={l} />
      ))}
    </Box>
  );
}
