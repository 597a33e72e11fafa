/** A progress bar on a terminal, a line per tenth otherwise (logs and CI stay readable). */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr, unit = ''): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    if (stream.isTTY) {
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : width;
      stream.write(`\r  ${label}${label ? ' ' : ''}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    const tenth = total ? Math.floor((done / total) * 10) : 10;
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth;
      stream.write(`  ${label}${label ? ' ' : ''}${done}/${total}${unit ? ` ${unit}` : ''}\n`);
    }
  };
}
