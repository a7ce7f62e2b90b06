/**
 * A pure function of a string, remembered: each distinct argument is computed once. At most
 * `max` answers are kept; when full, all are dropped and the next ones fill it again.
 */
export function remembered<T>(compute: (key: string) => T, max = 10_000): (key: string) => T {
  const answers = new Map<string, T>();
  return (key) => {
    if (answers.has(key)) return answers.get(key)!;
    const answer = compute(key);
    if (answers.size >= max) answers.clear();
    answers.set(key, answer);
    return answer;
  };
}
