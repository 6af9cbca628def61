import { createContext, useContext } from 'react';
import { Text } from 'ink';
import type { Line, Tone } from '../view/text.js';

/** Whether colours and text styles are on (false under NO_COLOR). Provided once by App. */
export const ColorContext = createContext(true);

/** Ink props per tone; nothing at all when colour is off. */
const TONES: Record<Tone, { color?: string; bold?: boolean; dimColor?: boolean }> = {
  accent: { color: 'cyan' },
  good: { color: 'green' },
  warn: { color: 'yellow' },
  bad: { color: 'red', bold: true },
  muted: { dimColor: true },
  strong: { bold: true },
};

/** One display line: its cells side by side, each in its tone; never wraps. */
export function LineText({ line, inverse = false }: { line: Line; inverse?: boolean }) {
  const color = useContext(ColorContext);
  return (
    <Text wrap="truncate" inverse={color && inverse}>
      {line.length === 0 ? ' ' : line.map((c, i) => (
        <Text key={i} {...(color && c.tone ? TONES[c.tone] : {})}>
          {c.text}
        </Text>
      ))}
    </Text>
  );
}

/** A titled list: the title line, then one line per row. */
export function LinePanel({ title, rows }: { title: Line; rows: readonly Line[] }) {
  return (
    <>
      <LineText line={title} />
      {rows.map((r, i) => (
        <LineText key={i} line={r} />
      ))}
    </>
  );
}
