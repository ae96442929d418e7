// Structured JSON logs, one line per event: Cloud Logging reads `severity` and `message`
// and keeps the other keys as jsonPayload fields.
export type Severity = "DEBUG" | "INFO" | "WARNING" | "ERROR";
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type Fields = Record<string, unknown>;
export type LogSink = (line: string) => void;

const rank: Record<Severity, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };
const threshold: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code ? { code } : {}), stack: value.stack };
  }
  return value;
}

export function createLogger(level: LogLevel = "info", sink: LogSink = (l) => process.stdout.write(l + "\n"), base: Fields = {}): Logger {
  const emit = (severity: Severity, event: string, fields?: Fields) => {
    if (rank[severity] < threshold[level]) return;
    const entry: Fields = { severity, message: event, time: new Date().toISOString(), ...base };
    for (const [k, v] of Object.entries(fields ?? {})) entry[k] = serialise(v);
    sink(JSON.stringify(entry));
  };
  return {
    debug: (e, f) => emit("DEBUG", e, f),
    info: (e, f) => emit("INFO", e, f),
    warn: (e, f) => emit("WARNING", e, f),
    error: (e, f) => emit("ERROR", e, f),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}
