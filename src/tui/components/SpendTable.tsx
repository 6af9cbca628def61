import { Box, Text } from 'ink';
import type { TableView } from '../view/table-view.js';
import { LineText } from './LineText.js';

/** Spend by the selected dimension, one row per group with an inline bar; the selected row is inverted. */
export function SpendTable({ table, width }: { table: TableView; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <LineText line={table.title} />
      {table.empty !== null ? <Text dimColor>{table.empty}</Text> : null}
      {table.rows.map((r, i) => (
        <LineText key={i} line={r.line} inverse={r.selected} />
      ))}
    </Box>
  );
}
