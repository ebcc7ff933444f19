import { InvalidInputError } from '../errors.js';

/**
 * Formats a date with the moment.js tokens metadata-action's `{{date}}` accepts, in an
 * IANA time zone (UTC by default). Supported: YYYY YY MMMM MMM MM M DD D HH H hh h mm m
 * ss s SSS A a Z ZZ X x and `[literal]`; other characters are copied as they are.
 */
const TOKENS = /\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|DD|D|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z|X|x/g;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** moment's default format, used when a `{{date}}` has no format argument. */
export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DDTHH:mm:ssZ';

export function formatDate(date: Date, format: string, timeZone = 'UTC'): string {
  const parts = zonedParts(date, timeZone);
  const offsetMinutes = Math.round(
    (Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) -
      Math.floor(date.getTime() / 1000) * 1000) /
      60_000,
  );
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const offset = (sep: string) => {
    if (offsetMinutes === 0 && timeZone.toUpperCase() === 'UTC') return 'Z';
    const abs = Math.abs(offsetMinutes);
    return `${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${sep}${pad(abs % 60)}`;
  };
  const hour12 = parts.hour % 12 === 0 ? 12 : parts.hour % 12;
  return format.replace(TOKENS, (token, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    switch (token) {
      case 'YYYY':
        return String(parts.year);
      case 'YY':
        return pad(parts.year % 100);
      case 'MMMM':
        return MONTHS[parts.month - 1] ?? '';
      case 'MMM':
        return (MONTHS[parts.month - 1] ?? '').slice(0, 3);
      case 'MM':
        return pad(parts.month);
      case 'M':
        return String(parts.month);
      case 'DD':
        return pad(parts.day);
      case 'D':
        return String(parts.day);
      case 'HH':
        return pad(parts.hour);
      case 'H':
        return String(parts.hour);
      case 'hh':
        return pad(hour12);
      case 'h':
        return String(hour12);
      case 'mm':
        return pad(parts.minute);
      case 'm':
        return String(parts.minute);
      case 'ss':
        return pad(parts.second);
      case 's':
        return String(parts.second);
      case 'SSS':
        return pad(date.getUTCMilliseconds(), 3);
      case 'A':
        return parts.hour < 12 ? 'AM' : 'PM';
      case 'a':
        return parts.hour < 12 ? 'am' : 'pm';
      case 'Z':
        return offset(':');
      case 'ZZ':
        return offset('');
      case 'X':
        return String(Math.floor(date.getTime() / 1000));
      default:
        return String(date.getTime());
    }
  });
}

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function zonedParts(date: Date, timeZone: string): ZonedParts {
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
  } catch (error) {
    throw new InvalidInputError(`The time zone "${timeZone}" is not known; use an IANA name such as UTC or Europe/Berlin.`, {
      cause: error,
    });
  }
  const values: Record<string, number> = {};
  for (const part of formatter.formatToParts(date)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year ?? 0,
    month: values.month ?? 1,
    day: values.day ?? 1,
    hour: values.hour ?? 0,
    minute: values.minute ?? 0,
    second: values.second ?? 0,
  };
}
