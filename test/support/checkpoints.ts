/**
 * One test per end-to-end scenario, its steps as named checkpoints. The steps of a scenario share
 * one stack (each builds on the state the previous one left), so as separate `it`s one failure
 * cascades into every later step and no step can run alone. Here they run in order inside one
 * `it`: a failure names its checkpoint (`checkpoint 3/9 "…": …`) and the rest do not run. Each
 * checkpoint gets the timeout its `it` had.
 *
 *     describe("scenario", function () {
 *       const checkpoint = scenario();
 *       checkpoint("previews", async function () { … });
 *       checkpoint("applies", async function () { … });
 *     });
 */

export type CheckpointBody = (this: Mocha.Context) => void | Promise<void>;

export interface Checkpoint {
  name: string;
  body: CheckpointBody;
}

/**
 * Returns the scenario's `checkpoint(name, body)`. The scenario's one `it` is declared with the
 * first checkpoint, at its place among the describe's tests.
 */
export function scenario(title = "every checkpoint, in order"): (name: string, body: CheckpointBody) => void {
  const checkpoints: Checkpoint[] = [];
  return (name, body) => {
    if (checkpoints.length === 0) {
      it(title, async function () {
        await runCheckpoints(checkpoints, this);
      });
    }
    checkpoints.push({ name, body });
  };
}

/**
 * Runs the checkpoints in order with `context` as `this`, each with the context's timeout from its
 * start, and logs each one passed; the first failure stops the run and is rethrown, its message
 * prefixed with the checkpoint's number and name.
 */
export async function runCheckpoints(checkpoints: readonly Checkpoint[], context: Mocha.Context, log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  const perCheckpoint = context.timeout();
  for (const [index, { name, body }] of checkpoints.entries()) {
    const label = `checkpoint ${index + 1}/${checkpoints.length} "${name}"`;
    context.timeout(perCheckpoint); // restarts the timer: each checkpoint has what its own `it` had
    try {
      await body.call(context);
    } catch (error) {
      throw namedAfter(label, error);
    }
    log(`      ✓ ${label}`);
  }
}

function namedAfter(label: string, error: unknown): Error {
  if (error instanceof Error) {
    error.message = `${label}: ${error.message}`;
    return error;
  }
  return new Error(`${label}: ${String(error)}`);
}
