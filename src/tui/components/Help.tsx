import { Box } from 'ink';
import { cell, type Line } from '../view/text.js';
import { LineText } from './LineText.js';

/** The `?` overlay: every key and what it does. */
export function Help({ lines }: { lines: readonly Line[] }) {
  return (
    <Box flexDirection="column">
      <LineText line={[cell('Keys', 'strong')]} />
      {lines.map((l, i) => (
        <LineText key={i} line={l} />
      ))}
    </Box>
  );
}
