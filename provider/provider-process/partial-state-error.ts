/**
 * An error that still carries the resource's new state. The dynamic provider host turns `id` +
 * `properties` into an "initialization failed" response, so the engine records that state (what
 * Amazon did accept) and prints `reasons`; the next `up` continues from there.
 */
export class PartialStateError extends Error {
  override readonly name = "PartialStateError";
  readonly reasons: string[];

  constructor(
    message: string,
    readonly id: string,
    /** The outputs to record; must include the raw inputs (they carry `__provider`). */
    readonly properties: object,
  ) {
    super(message);
    this.reasons = [message];
  }
}
