/** What a command may touch: its output streams, the environment, the clock. Tests pass their own. */
export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

export const processIo = (): CommandIo => ({
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  env: process.env,
  now: Date.now,
});

/** Exit codes (sysexits.h), as the service uses them. */
export const EXIT = { ok: 0, problems: 1, usage: 64, unavailable: 69, config: 78 } as const;

/** A command's failure with the exit code it means and a line naming what to fix. */
export class CommandError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CommandError(EXIT.usage, message);
export const configError = (message: string) => new CommandError(EXIT.config, message);
