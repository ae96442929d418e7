// Under jest the functions' logger (firebase-functions) writes through jest's console, so every
// in-process create, sweep or refund printed a console block with a stack, burying real
// failures. This setup file (jest.config.js) records those log calls instead of printing them;
// a test that expects a warning asserts it with `logged`. IMAGEGEN_TEST_LOGS=1 prints them again.
import { log } from "../functions/src/shared/log";

export interface LoggedEvent { level: "info" | "warn" | "error"; message: string; fields: Record<string, unknown> }

const events: LoggedEvent[] = [];
const KEEP = 5000;

/** Log events recorded in this test file so far (the latest KEEP), optionally of one level. */
export const logged = (level?: LoggedEvent["level"]) => events.filter((e) => !level || e.level === level);

if (process.env.IMAGEGEN_TEST_LOGS !== "1") {
  for (const level of ["info", "warn", "error"] as const) {
    jest.spyOn(log, level).mockImplementation((message: string, fields: Record<string, unknown> = {}) => {
      events.push({ level, message, fields });
      if (events.length > KEEP) events.splice(0, events.length - KEEP);
    });
  }
}
