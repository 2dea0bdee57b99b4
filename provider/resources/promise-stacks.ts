/**
 * The Pulumi SDK records a stack trace for every promise it makes for a resource (for its report
 * of promises left pending), four for each property, and the `source-map-support` hook it installs
 * formats each one frame by frame. For a catalog of audiences that was most of the program's CPU
 * (bench scenario 5). Those promises are made while a resource is constructed, synchronously, so
 * the constructors of the resources a catalog has many of (audiences, memberships) capture no
 * frames while the SDK sets them up. The SDK's own record of where a resource was declared is not
 * affected (it raises the limit for itself), and `DSP_AUDIENCES_DEBUG=1` keeps every stack.
 *
 * The project's own program goes further: it reports every error as a message and shows a stack
 * only with `DSP_AUDIENCES_DEBUG=1`, so it captures none for its whole run, which also spares the
 * promises the SDK makes later for each resource (serializing its inputs, its log lines).
 */
import { debugging } from "../util/debug";

/**
 * Stops stack frames from being captured until the returned function is called; call it in a
 * `finally`. A no-op when debugging.
 */
export function suspendPromiseStacks(): () => void {
  if (debugging()) return () => undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = limit;
  };
}

/** For the whole run of the project's own program (never a library user's): no stack frames, unless debugging. */
export function suspendStacksForProgramRun(): void {
  if (!debugging()) Error.stackTraceLimit = 0;
}
