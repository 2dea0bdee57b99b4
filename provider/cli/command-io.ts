/** What a command talks to, so tests can run one without a terminal or a real clock. */
export interface CommandIo {
  /** One line of results (stdout). */
  out(line: string): void;
  /** Progress and problems (stderr), as given: include "\n" where wanted. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Progress is redrawn in place on a terminal, printed every few seconds elsewhere. */
  errIsTty: boolean;
  /** Milliseconds from any fixed origin. */
  now(): number;
}

export const processIo: CommandIo = {
  out: (line) => console.log(line),
  err: (text) => process.stderr.write(text),
  env: process.env,
  errIsTty: process.stderr.isTTY === true,
  now: () => performance.now(),
};
