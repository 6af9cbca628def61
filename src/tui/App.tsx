import { Box, Text, useApp } from 'ink';
import { useEffect, useMemo, useReducer } from 'react';
import { Budgets } from './components/Budgets.js';
import { Feed } from './components/Feed.js';
import { Header } from './components/Header.js';
import { Help } from './components/Help.js';
import { ColorContext, LineText } from './components/LineText.js';
import { SpendTable } from './components/SpendTable.js';
import { Trend } from './components/Trend.js';
import { useDashboardData } from './hooks/use-dashboard-data.js';
import { useKeyCommands } from './hooks/use-key-commands.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import type { Size } from './layout.js';
import { queryOf, reduce, type UiState } from './state.js';
import type { DashboardSource } from './types.js';
import { buildView, viewFacts } from './view/dashboard-view.js';

export interface AppProps {
  source: DashboardSource;
  initial: UiState;
  /** False under NO_COLOR: no colours, no text styles. */
  color: boolean;
  /** Poll period, ms (the dashboard refreshes at most this often). */
  intervalMs?: number;
  /** Fixed size instead of the terminal's (tests). */
  size?: Size;
}

/** Refresh period: at most once a second. */
export const REFRESH_MS = 1000;

/** The dashboard: wires state, data and keys to the panels; everything it shows comes from buildView. */
export function App({ source, initial, color, intervalMs = REFRESH_MS, size: fixedSize }: AppProps) {
  const { exit } = useApp();
  const [state, dispatch] = useReducer(reduce, initial);
  const query = useMemo(() => queryOf(state), [state.range, state.dimension, state.drill, state.filters]);
  const { snapshot, error } = useDashboardData(source, query, intervalMs);
  const size = useTerminalSize(fixedSize);
  const view = useMemo(() => buildView({ snapshot, state, size, sourceLabel: source.label, error }), [snapshot, state, size, source.label, error]);

  const dimensions = snapshot?.dimensions;
  useEffect(() => {
    if (dimensions) dispatch({ type: 'dimensions', dimensions });
  }, [dimensions]);
  useKeyCommands(viewFacts(snapshot, state), dispatch);
  useEffect(() => {
    if (state.quit) exit();
  }, [state.quit, exit]);

  const { layout } = view;
  let body;
  if (view.help) body = <Help lines={view.help} />;
  else if (view.placeholder !== null) body = <Text>{view.placeholder}</Text>;
  else if (layout.wide) {
    body = (
      <>
        <Box>
          <SpendTable table={view.table} width={view.tableWidth} />
          <Box width={2} />
          <Box flexDirection="column" width={view.sideWidth}>
            <Budgets budgets={view.budgets} width={view.sideWidth} />
            <Trend lines={view.trend} width={view.sideWidth} />
          </Box>
        </Box>
        <Box>
          <Feed list={view.tail} width={view.tailWidth} />
          <Box width={2} />
          <Feed list={view.alerts} width={view.alertsWidth} />
        </Box>
      </>
    );
  } else {
    body = (
      <>
        <SpendTable table={view.table} width={layout.width} />
        <Budgets budgets={view.budgets} width={layout.width} />
        <Trend lines={view.trend} width={layout.width} />
        <Feed list={view.tail} width={layout.width} />
        <Feed list={view.alerts} width={layout.width} />
      </>
    );
  }

  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={layout.width}>
        <Header title={view.title} figures={view.figures} />
        {body}
        <LineText line={view.status} />
      </Box>
    </ColorContext.Provider>
  );
}
