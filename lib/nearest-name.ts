/**
 * The name among `names` nearest a mistyped one (`batchsize` -> `batchSize`, `--prot` -> `--port`),
 * when it is close enough to be what was meant. Shared by the stack parameters and the command
 * lines; it imports nothing, so local mode's main process loads nothing more for it.
 */
export function nearestName(name: string, names: Iterable<string>): string | undefined {
  const nearest = [...names].sort((a, b) => editDistance(name, a) - editDistance(name, b))[0];
  return nearest !== undefined && editDistance(name, nearest) <= Math.max(2, name.length / 3)
    ? nearest
    : undefined;
}

/** Levenshtein distance; a difference of case alone counts half (batchsize is nearest batchSize). */
function editDistance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++)
      row[j] = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return (previous[y.length] as number) + (a !== b && x === y ? 0.5 : 0);
}
