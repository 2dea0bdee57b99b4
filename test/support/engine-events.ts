/**
 * The engine events `pulumi up --json` prints: one JSON object a line, each with the engine's
 * `sequence` and a `timestamp` in whole seconds (checked against the real CLI, v3.274.1). Only the
 * fields the tests read are typed: diagnostics (with the URN of the resource they belong to) and
 * the start of each resource step.
 */

/** A provider's or the program's log line. `severity` is debug, info, warning, error or info#err. */
export interface DiagnosticEvent {
  readonly message: string;
  readonly severity: string;
  readonly urn?: string;
}

/** The start of a step on one resource: `op` is create, update, delete, same, … */
export interface ResourcePreEvent {
  readonly metadata: { readonly op: string; readonly urn: string; readonly type: string };
}

export interface EngineEvent {
  readonly sequence: number;
  /** Seconds since the epoch. */
  readonly timestamp: number;
  readonly diagnosticEvent?: DiagnosticEvent;
  readonly resourcePreEvent?: ResourcePreEvent;
}

/** Every event of the output of `pulumi up --json`, in engine order; other lines are an error naming the line. */
export function parseEngineEvents(stdout: string): EngineEvent[] {
  const events: EngineEvent[] = [];
  stdout.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      events.push(JSON.parse(line) as EngineEvent);
    } catch (error) {
      throw new Error(`line ${i + 1} of the output of \`pulumi up --json\` is not an engine event: ${(error as Error).message}`);
    }
  });
  return events.sort((a, b) => a.sequence - b.sequence);
}

/** The info diagnostics, without the trailing newline the engine adds, with their time. */
export function infoLines(events: readonly EngineEvent[]): Array<{ message: string; urn?: string; timestamp: number }> {
  return events.flatMap((e) =>
    e.diagnosticEvent?.severity === "info"
      ? [{ message: e.diagnosticEvent.message.replace(/\n$/, ""), timestamp: e.timestamp, ...(e.diagnosticEvent.urn === undefined ? {} : { urn: e.diagnosticEvent.urn }) }]
      : [],
  );
}

/** The URN of the one resource whose type ends in `:${type}` that had a step, e.g. `AudienceMembership`. */
export function stepUrn(events: readonly EngineEvent[], type: string): string {
  const urns = new Set(events.flatMap((e) => (e.resourcePreEvent?.metadata.type.endsWith(`:${type}`) ? [e.resourcePreEvent.metadata.urn] : [])));
  if (urns.size !== 1) throw new Error(`expected one ${type} with a step, found ${urns.size}: ${[...urns].join(", ")}`);
  return [...urns][0]!;
}
