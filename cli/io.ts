/** Where a command writes: the terminal for `npm run cli`, buffers in tests. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Writes one line. */
export const line = (write: (text: string) => void, text = '') => write(`${text}\n`);
