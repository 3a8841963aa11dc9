/** A one-line progress bar on stderr (redrawn in place on a terminal, every ~10 % otherwise). */
export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastPrinted = -1;
  return {
    update(done: number, total: number | null, detail: string) {
      const ratio = total ? Math.min(1, done / total) : 0;
      const width = 24;
      const bar = total ? '█'.repeat(Math.round(ratio * width)).padEnd(width, '░') : '…'.padEnd(width, ' ');
      const line = `${label} ${total ? `${(ratio * 100).toFixed(0).padStart(3)}%` : '    '} ${bar} ${detail}`;
      if (stream.isTTY) stream.write(`\r${line}\x1b[K`);
      else if (Math.floor(ratio * 10) !== lastPrinted) {
        lastPrinted = Math.floor(ratio * 10);
        stream.write(`${line}\n`);
      }
    },
    done(message: string) {
      stream.write(`${stream.isTTY ? '\r\x1b[K' : ''}${message}\n`);
    },
  };
}
