/**
 * Everything the CLI touches in the outside world, injected so that tests run the
 * real commands in-process and the clock is never read behind anyone's back.
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour is used only then, and never with NO_COLOR). */
  isTTY: boolean;
  /** Whether stderr is a terminal (progress lines are drawn only then). */
  stderrIsTTY?: boolean | undefined;
  nowMs: () => number;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    nowMs: () => Date.now(),
  };
}

/** https://no-color.org: any non-empty NO_COLOR disables colour. */
export function useColor(io: CliIo): boolean {
  return io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}
