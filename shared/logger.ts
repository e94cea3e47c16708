/**
 * Structured JSON logs, one line per event, so CloudWatch Logs Insights can query them. Personal
 * data (phone numbers, notes) is never passed here: callers log ids and codes only.
 *
 * The keys are the ones Lambda's advanced logging controls read: `level` (filtered by the
 * function's application log level when the log format is JSON) and `timestamp` (RFC 3339), with
 * `message`; then the invocation's context (`function_request_id`, `cold_start`, set by the
 * Lambda handler, as Powertools does) and the event's own fields.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /**
   * Fields every following line carries until replaced: the Lambda handler sets the invocation's
   * (one invocation at a time per instance, so nothing leaks between requests).
   */
  setContext(fields: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  let context: Record<string, unknown> = {};
  const at = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(
      JSON.stringify({ level: lvl.toUpperCase(), timestamp: new Date().toISOString(), message: msg, ...context, ...fields }, errorReplacer),
    );
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setContext(fields) {
      context = { ...fields };
    },
  };
}

function errorReplacer(_key: string, value: unknown) {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
