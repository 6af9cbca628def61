/** The calendar vocabulary of reports (lib/calendar.ts on lib/tz.ts), under the name the report and TUI modules use. */
export { isValidTimeZone, localParts, offsetAt, type LocalParts } from '../lib/tz.js';
export { localDate, offsetSegments, startOfDay, startOfMonth, startOfWeek, zonedToUtc, type OffsetSegment } from '../lib/calendar.js';
