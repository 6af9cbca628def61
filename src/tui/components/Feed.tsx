import { Box } from 'ink';
import type { ListView } from '../view/feed-view.js';
import { LinePanel } from './LineText.js';

/** A titled list of the live tail or the latest alerts. */
export function Feed({ list, width }: { list: ListView; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      <LinePanel title={list.title} rows={list.rows} />
    </Box>
  );
}
