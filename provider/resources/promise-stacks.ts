/**
 * The Pulumi SDK records a stack trace for every promise it makes for a resource (for its report
 * of promises left pending), four for each property, and the `source-map-support` hook it installs
 * formats each one frame by frame. For a catalog of audiences that was most of the program's CPU
 * (bench scenario 5). Those promises are made while a resource is constructed, synchronously, so
 * the constructors of the resources a catalog has many of (audiences, memberships) capture no
 * frames while the SDK sets them up. The SDK's own record of where a resource was declared is not
 * affected (it raises the limit for itself), and `DSP_AUDIENCES_DEBUG=1` keeps every stack.
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
