/**
 * `DSP_AUDIENCES_DEBUG=1`: what a developer turns on to see inside the tool (original errors with
 * their stack traces, stacks mapped to the TypeScript sources). Off, the program and the providers
 * report problems as messages, and skip the work that only stack traces need.
 */

/** The environment variable that brings stack traces back. */
export const DEBUG_ENV = "DSP_AUDIENCES_DEBUG";

/** True when `DSP_AUDIENCES_DEBUG=1`. */
export function debugging(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[DEBUG_ENV] === "1";
}
